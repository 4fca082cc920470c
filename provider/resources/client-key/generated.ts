/**
 * Key pairs the provider makes: generated in `create` (never in `check`, whose result is stored in plaintext),
 * the public half registered, the private half returned as a secret output (the SDK lists it in
 * `additionalSecretOutputs`); the API can never give it back, so every later step carries it over from the state.
 *
 * The state holds one form of each half, the JWKs; the other forms people store a key in (base64 JWK, PEM) are
 * derived from them in the program (`derivedKeyForms`, the SDK's outputs), not stored once more per resource.
 */
import { createPrivateKey, createPublicKey, type JsonWebKey } from "node:crypto";
import type { Jwk } from "../../api/wire";
import { altinnKid, generateKeyPair, type GeneratedKey, type PublicJwk } from "../../keys";
import { rsaThumbprint } from "./thumbprint";
import type { GenerateSettings, KidConvention } from "./schema";

/** The output that holds the private key: secret. */
export const PRIVATE_KEY_OUTPUTS = ["privateKeyJwk"] as const;
/** Every output that only a generated key has, carried from state to state. */
export const GENERATED_KEY_OUTPUTS = [...PRIVATE_KEY_OUTPUTS, "publicKeyJwk"] as const;
/** Forms that versions up to 0.1.0 stored as well, and this one derives: dropped when a key's state is written. */
export const DERIVED_KEY_OUTPUTS = ["privateKeyBase64", "privateKeyPem", "publicKeyPem"] as const;

/** The forms of a generated key the state holds. */
export interface KeyForms {
  /** The private JWK as JSON text (`altinn-jwks export key`). */
  privateKeyJwk: string;
  /** The public JWK as registered. */
  publicKeyJwk: PublicJwk;
}

/** The forms derived from the stored ones. */
export interface DerivedKeyForms {
  /** Base64 of the private JWK's JSON (`altinn-jwks export key --base64`), what Azure Key Vault secrets hold. */
  privateKeyBase64: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
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
  return { privateKeyJwk: key.privateJwkJson, publicKeyJwk: key.publicJwk };
}

/**
 * The other forms of a stored key, as `generateKeyPair` makes them: the base64 of the stored JSON text (byte
 * for byte what 0.1.0 stored) and the PEMs (DER is deterministic, so the same text too).
 */
export function derivedKeyForms(privateKeyJwk: string, publicKeyJwk: Record<string, unknown>): DerivedKeyForms {
  return { privateKeyBase64: base64Of(privateKeyJwk), privateKeyPem: privateKeyPemOf(privateKeyJwk), publicKeyPem: publicKeyPemOf(publicKeyJwk) };
}

/** `altinn-jwks export key --base64`: standard base64 of the private JWK's JSON text. */
export function base64Of(privateKeyJwk: string): string {
  return Buffer.from(privateKeyJwk, "utf8").toString("base64");
}

/** PKCS#8 PEM of a private JWK given as JSON text. */
export function privateKeyPemOf(privateKeyJwk: string): string {
  return createPrivateKey({ key: JSON.parse(privateKeyJwk) as JsonWebKey, format: "jwk" }).export({ type: "pkcs8", format: "pem" }) as string;
}

/** SPKI PEM of a public JWK. */
export function publicKeyPemOf(publicKeyJwk: Record<string, unknown>): string {
  return createPublicKey({ key: publicKeyJwk as JsonWebKey, format: "jwk" }).export({ type: "spki", format: "pem" }) as string;
}

/** Stored outputs without the forms earlier versions stored and this one derives. */
export function withoutDerivedForms<T extends object>(stored: T): T {
  return Object.fromEntries(Object.entries(stored).filter(([name]) => !(DERIVED_KEY_OUTPUTS as readonly string[]).includes(name))) as T;
}

/**
 * The generated key's forms kept in `props` (state), to carry into the next outputs; with the derived forms
 * an earlier version stored, so that a refresh of its state shows no change (an update drops them: `restate`).
 */
export function keptForms(props: Record<string, unknown>): Partial<KeyForms> {
  return Object.fromEntries([...GENERATED_KEY_OUTPUTS, ...DERIVED_KEY_OUTPUTS].filter((name) => props[name] !== undefined).map((name) => [name, props[name]]));
}
