/**
 * Key pairs the provider makes: generated in `create` (never in `check`, whose result is stored in plaintext),
 * the public half registered, the private half returned as a secret output (the SDK lists it in
 * `additionalSecretOutputs`); the API can never give it back, so every later step carries it over from the state.
 *
 * The state holds one form of each half, the JWKs; the other forms people store a key in (base64 JWK, PEM) are
 * derived from them in the program (`key-forms.ts`, the SDK's outputs), not stored once more per resource.
 */
import type { Jwk } from "../api/wire";
import { altinnKid, generateKeyPair, type GeneratedKey } from "../keys";
import { DERIVED_KEY_OUTPUTS, GENERATED_KEY_OUTPUTS, type KeyForms } from "./key-forms";
import { markedKid } from "./kid-marker";
import { rsaThumbprint } from "./thumbprint";
import type { GenerateSettings, KidConvention } from "./settings";

export interface KidNaming {
  kid?: string | undefined;
  kidConvention?: KidConvention | undefined;
  __ownerMarker?: string | undefined;
}

/**
 * A new key pair. The kid is the given one; else the convention's for `date`, else the key's thumbprint, with
 * the resource's marker appended (`kid-marker.ts`) when the SDK gave one.
 */
export async function newKeyPair(settings: GenerateSettings, naming: KidNaming, date: Date): Promise<GeneratedKey> {
  const { kidConvention, __ownerMarker: marker } = naming;
  const kid = naming.kid ?? (kidConvention ? altinnKid(kidConvention.name, kidConvention.environment, date) : undefined);
  const key = await generateKeyPair({
    algorithm: settings.algorithm,
    modulusLength: settings.modulusLength,
    ...(kid !== undefined && { kid }),
  });
  return naming.kid !== undefined || marker === undefined ? key : withKid(key, markedKid(key.kid, marker));
}

/** The same key pair under another kid (the kid is part of both JWKs). */
export function withKid(key: GeneratedKey, kid: string): GeneratedKey {
  const publicJwk = { ...key.publicJwk, kid };
  const privateJwk = { ...key.privateJwk, kid };
  const privateJwkJson = JSON.stringify(privateJwk);
  return { ...key, kid, publicJwk, privateJwk, privateJwkJson, privateJwkBase64: Buffer.from(privateJwkJson, "utf8").toString("base64") };
}

/**
 * `kid`, or when another key of the client holds it, the first of `kid-2`, `kid-3`, ... that is free. A dated
 * kid repeats when a key is replaced on the day it was made (new generate settings), and the successor is
 * registered next to its predecessor.
 */
export function freeKid(keys: readonly Jwk[], kid: string, thumbprint: string): string {
  const takenByOthers = (candidate: string) => keys.some((k) => k.kid === candidate && rsaThumbprint(k) !== thumbprint);
  let candidate = kid;
  for (let n = 2; takenByOthers(candidate); n++) candidate = `${kid}-${n}`;
  return candidate;
}

export function keyForms(key: GeneratedKey): KeyForms {
  return { privateKeyJwk: key.privateJwkJson, publicKeyJwk: key.publicJwk };
}

/**
 * The generated key's forms kept in `props` (state), to carry into the next outputs; with the derived forms
 * an earlier version stored, so that a refresh of its state shows no change (an update drops them: `restate`).
 */
export function keptForms(props: Record<string, unknown>): Partial<KeyForms> {
  return Object.fromEntries(
    [...GENERATED_KEY_OUTPUTS, ...DERIVED_KEY_OUTPUTS].filter((name) => props[name] !== undefined).map((name) => [name, props[name]]),
  );
}
