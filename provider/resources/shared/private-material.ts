/**
 * Private key material where no input takes it: a key pasted into a description, a kid or a profile name would
 * be sent to Digdir and stored in the state. `check` refuses it by field, before anything else. The inputs that
 * take keys (`ClientKey.publicKey`) are read by the key reader, which refuses private material with a message
 * of its own.
 */
import { PRIVATE_JWK_MEMBERS } from "../../api/jwk-constants";

/** Inputs whose keys the key reader checks. */
const KEY_INPUTS = new Set(["publicKey"]);
/** How deep objects, arrays and base64 layers are searched; inputs are shallow, a JWKS is three levels. */
const MAX_DEPTH = 6;
const PEM_PRIVATE = /PRIVATE KEY-----/;
const JSON_PRIVATE_MEMBER = new RegExp(String.raw`\\*"(?:${PRIVATE_JWK_MEMBERS.join("|")})\\*"\s*:\s*\\*"[\w-]{16,}`);
/** A base64 (or base64url) run long enough to hold a key. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{64,}={0,2}/g;

export interface PrivateMaterialFailure {
  property: string;
  reason: string;
}

/** A failure for each top-level input that holds a private key, except those that take keys. */
export function privateMaterialFailures(inputs: Record<string, unknown>): PrivateMaterialFailure[] {
  return Object.entries(inputs)
    .filter(([field, value]) => !KEY_INPUTS.has(field) && holdsPrivateKey(value, 0))
    .map(([field]) => ({
      property: field,
      reason:
        "holds a private key (PEM PRIVATE KEY, or a JWK with private members such as d); it would be sent to Digdir and kept in the " +
        "state: remove it from the program and keep private keys in a secret store",
    }));
}

function holdsPrivateKey(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (typeof value === "string") return privateKeyText(value, depth);
  if (Array.isArray(value)) return value.some((v) => holdsPrivateKey(v, depth + 1));
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (PRIVATE_JWK_MEMBERS.some((m) => typeof record[m] === "string")) return true;
    return Object.values(record).some((v) => holdsPrivateKey(v, depth + 1));
  }
  return false;
}

/** PEM armour, a JWK's private member in JSON (escaped or not), or either inside a run of base64, anywhere in the text. */
function privateKeyText(text: string, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (PEM_PRIVATE.test(text) || JSON_PRIVATE_MEMBER.test(text)) return true;
  for (const run of text.match(BASE64_RUN) ?? []) {
    const decoded = Buffer.from(run, "base64").toString("utf8");
    if (privateKeyText(decoded, depth + 1)) return true;
  }
  return false;
}
