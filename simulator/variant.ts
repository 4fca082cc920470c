/**
 * The switches: every behaviour of Digdir that the evidence leaves open, with the answers the simulator can
 * give. `default` is the best-supported reading of `reference/maskinporten-api.md` (its last section,
 * "Evidence from production callers", first); the preset `adverse` takes on every switch the answer that is
 * hardest for a client. A variant is a preset name, or switches layered on a preset (`base`, default
 * "default"). The table below is the single source: validation, presets, `--set` and the README follow it.
 */
import { SimulatorOptionError } from "./errors";

/** Status of a write, and whether the answer has a body (`-empty`: none; `204` never has one). */
export const WRITE_ANSWERS = ["200", "200-empty", "201", "201-empty", "204"] as const;
export type WriteAnswer = (typeof WRITE_ANSWERS)[number];

interface SwitchSpec<V extends string> {
  values: readonly V[];
  default: V;
  adverse: V;
  /** What the switch changes, for messages and the README. */
  about: string;
}

function spec<V extends string>(values: readonly V[], defaultValue: V, adverse: V, about: string): SwitchSpec<V> {
  return { values, default: defaultValue, adverse, about };
}

export const SWITCHES = {
  createAnswer: spec(WRITE_ANSWERS, "200", "201", "status and body of POST /clients and POST /scopes"),
  keyWriteAnswer: spec(WRITE_ANSWERS, "200", "201-empty", "status and body of POST /clients/{id}/jwks and PUT /clients/{id}/jwks/{kid}"),
  deleteAnswer: spec(WRITE_ANSWERS, "200", "204", "status and body of every DELETE (client, scope, key set, key, grant)"),
  singleKeyEndpoints: spec(
    ["available", "absent"] as const,
    "available",
    "absent",
    "GET/PUT/DELETE /clients/{id}/jwks/{kid}: served, or unmapped (404 no such endpoint, as Spring answers a path no handler maps)",
  ),
  keylessJwks: spec(
    ["empty-keys", "empty-object", "404"] as const,
    "empty-keys",
    "empty-object",
    'GET /clients/{id}/jwks of a client without keys: 200 {"keys": []}, 200 {}, or 404',
  ),
  clientJwks: spec(
    ["uri-only", "inline"] as const,
    "uri-only",
    "uri-only",
    "client answers (list, read, writes): only jwks_uri, or the keys inline as jwks",
  ),
  clientIdOnCreate: spec(
    ["ignored", "honoured", "refused"] as const,
    "ignored",
    "ignored",
    "a client_id sent in POST /clients: the server assigns its own, takes it, or answers 400",
  ),
  singleScopeRead: spec(
    ["both", "query", "path"] as const,
    "both",
    "query",
    "where one scope is read: GET /scopes?scope=, GET /scopes/scope?scope=, or both",
  ),
  scopeQueryShape: spec(
    ["object", "list"] as const,
    "object",
    "list",
    "GET /scopes?scope=X answers the scope, or a list holding it ([] when unknown)",
  ),
  unsetLifetimes: spec(
    ["zero", "absent"] as const,
    "zero",
    "zero",
    "client lifetimes never set (refresh_token_lifetime): returned as 0, or left out (0 is refused on POST/PUT either way)",
  ),
  seededKeyUse: spec(
    ["sig", "absent"] as const,
    "sig",
    "absent",
    'the seeded admin clients\' keys carry use: "sig", or none (registered before 2025-05-22)',
  ),
  consumerAdminScopes: spec(
    ["standard", "dcr-only"] as const,
    "standard",
    "dcr-only",
    "admin scopes of seeded consumer organisations (no prefix, not supplier)",
  ),
  ownerAdminScopes: spec(
    ["standard", "no-scopes-read"] as const,
    "standard",
    "no-scopes-read",
    "admin scopes of seeded API owners (organisations with a prefix)",
  ),
} as const;

export type SwitchName = keyof typeof SWITCHES;
export type SimulatorSwitches = { -readonly [K in SwitchName]: (typeof SWITCHES)[K]["values"][number] };

export const PRESETS = ["default", "adverse"] as const;
export type PresetName = (typeof PRESETS)[number];

/** A preset name, or switches layered on `base` (default "default"). */
export type VariantSpec = PresetName | (Partial<SimulatorSwitches> & { base?: PresetName });

export const SWITCH_NAMES = Object.keys(SWITCHES) as SwitchName[];

export function preset(name: PresetName): SimulatorSwitches {
  const out: Record<string, string> = {};
  for (const key of SWITCH_NAMES) out[key] = name === "adverse" ? SWITCHES[key].adverse : SWITCHES[key].default;
  return out as SimulatorSwitches;
}

function checkPreset(value: unknown, option: string): PresetName {
  if (!PRESETS.includes(value as PresetName))
    throw new SimulatorOptionError(option, `must be one of ${PRESETS.join(", ")}, got ${JSON.stringify(value)}`);
  return value as PresetName;
}

function checkSwitch(name: string, value: unknown, option: string): void {
  if (!SWITCH_NAMES.includes(name as SwitchName)) {
    throw new SimulatorOptionError(option, `unknown switch ${JSON.stringify(name)}; the switches are ${SWITCH_NAMES.join(", ")}`);
  }
  const values = SWITCHES[name as SwitchName].values as readonly string[];
  if (!values.includes(value as string)) {
    throw new SimulatorOptionError(`${option}.${name}`, `must be one of ${values.join(", ")}, got ${JSON.stringify(value)}`);
  }
}

/** The switches a variant spec stands for, every switch set; throws `SimulatorOptionError` on a bad spec. */
export function resolveVariant(spec: VariantSpec | undefined, option = "variant"): SimulatorSwitches {
  return layerVariant(preset("default"), spec, option);
}

/**
 * `spec` applied to `current`: a preset name replaces everything, an object with `base` is layered on that
 * preset, an object without it on `current` (so one switch can be flipped on a running simulator).
 */
export function layerVariant(current: SimulatorSwitches, spec: VariantSpec | undefined, option = "variant"): SimulatorSwitches {
  if (spec === undefined) return { ...current };
  if (typeof spec === "string") return preset(checkPreset(spec, option));
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new SimulatorOptionError(option, "must be a preset name or an object of switches");
  }
  const { base, ...switches } = spec;
  const out = base === undefined ? { ...current } : preset(checkPreset(base, `${option}.base`));
  for (const [name, value] of Object.entries(switches)) {
    if (value === undefined) continue;
    checkSwitch(name, value, option);
    (out as Record<string, string>)[name] = value as string;
  }
  return out;
}

/** Parses `switch=value` as given to `--set`. */
export function parseSwitchAssignment(text: string): [SwitchName, string] {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new SimulatorOptionError("--set", `expects switch=value, got ${JSON.stringify(text)}`);
  const name = text.slice(0, eq).trim();
  const value = text.slice(eq + 1).trim();
  checkSwitch(name, value, "--set");
  return [name as SwitchName, value];
}

/** Status and whether to send the body, for a write answered with `answer`. */
export function writeAnswer(answer: WriteAnswer): { status: number; body: boolean } {
  switch (answer) {
    case "200":
      return { status: 200, body: true };
    case "200-empty":
      return { status: 200, body: false };
    case "201":
      return { status: 201, body: true };
    case "201-empty":
      return { status: 201, body: false };
    case "204":
      return { status: 204, body: false };
  }
}
