/**
 * Key pairs the provider makes: generated in `create` (never in `check`, whose result is stored in plaintext),
 * the public half registered, the private half returned in the forms people store it in. The private forms
 * are secret outputs (the SDK lists them in `additionalSecretOutputs`); the API can never give them back, so
 * every later step carries them over from the state.
 */
import type { Jwk } from "../../api/wire";
import { altinnKid, generateKeyPair, type GeneratedKey, type PublicJwk } from "../../keys";
import { rsaThumbprint } from "./thumbprint";
import type { GenerateSettings, KidConvention } from "./schema";

/** The outputs that hold the private key: secret. */
export const PRIVATE_KEY_OUTPUTS = ["privateKeyJwk", "privateKeyBase64", "privateKeyPem"] as const;
/** Every output that only a generated key has, carried from state to state. */
export const GENERATED_KEY_OUTPUTS = [...PRIVATE_KEY_OUTPUTS, "publicKeyJwk", "publicKeyPem"] as const;

export interface KeyForms {
  /** The private JWK as JSON text (`altinn-jwks export key`). */
  privateKeyJwk: string;
  /** Base64 of that JSON (`altinn-jwks export key --base64`), what Azure Key Vault secrets hold. */
  privateKeyBase64: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** The public JWK as registered. */
  publicKeyJwk: PublicJwk;
  /** SPKI PEM. */
  publicKeyPem: string;
}

/** A new key pair. The kid is the given one, else the convention's for `date`, else the key's thumbprint. */
export function newKeyPair(settings: GenerateSettings, naming: { kid?: string | undefined; kidConvention?: KidConvention | undefined }, date: Date): Promise<GeneratedKey> {
  const { kidConvention } = naming;
  const kid = naming.kid ?? (kidConvention ? altinnKid(kidConvention.name, kidConvention.environment, date) : undefined);
  return generateKeyPair({ algorithm: settings.algorithm, modulusLength: settings.modulusLength, ...(kid !== undefined && { kid }) });
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
  return {
    privateKeyJwk: key.privateJwkJson,
    privateKeyBase64: key.privateJwkBase64,
    privateKeyPem: key.privateKeyPem,
    publicKeyJwk: key.publicJwk,
    publicKeyPem: key.publicKeyPem,
  };
}

/** The generated key's forms kept in `props` (state), to carry into the next outputs. */
export function keptForms(props: Record<string, unknown>): Partial<KeyForms> {
  return Object.fromEntries(GENERATED_KEY_OUTPUTS.filter((name) => props[name] !== undefined).map((name) => [name, props[name]]));
}
