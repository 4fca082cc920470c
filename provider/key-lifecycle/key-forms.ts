/**
 * The forms of a generated key: the state holds the JWKs, and the program derives the others (base64 JWK, PEM)
 * from them. Only `node:crypto` here: the SDK loads this module into every program.
 */
import { createPrivateKey, createPublicKey, type JsonWebKey } from "node:crypto";
import type { PublicJwk } from "../keys/jwk";

/** The output that holds the private key: secret. */
export const PRIVATE_KEY_OUTPUTS = ["privateKeyJwk"] as const;
/** Every output that only a generated key has, carried from state to state. */
export const GENERATED_KEY_OUTPUTS = [...PRIVATE_KEY_OUTPUTS, "publicKeyJwk"] as const;
/** Forms that versions up to 0.1.0 stored as well, and this one derives: dropped when a key's state is written. */
export const DERIVED_KEY_OUTPUTS = ["privateKeyBase64", "privateKeyPem", "publicKeyPem"] as const;

/** The outputs of a `RotatingClientKey` that hold its keys: secret (the SDK lists them in `additionalSecretOutputs`). */
export const ROTATING_KEY_SECRET_OUTPUTS = ["current", "previous"] as const;

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

/**
 * The other forms of a stored key, as `generateKeyPair` makes them: the base64 of the stored JSON text (byte
 * for byte what 0.1.0 stored) and the PEMs (DER is deterministic, so the same text too).
 */
export function derivedKeyForms(privateKeyJwk: string, publicKeyJwk: Record<string, unknown>): DerivedKeyForms {
  return {
    privateKeyBase64: base64Of(privateKeyJwk),
    privateKeyPem: privateKeyPemOf(privateKeyJwk),
    publicKeyPem: publicKeyPemOf(publicKeyJwk),
  };
}

/** `altinn-jwks export key --base64`: standard base64 of the private JWK's JSON text. */
export function base64Of(privateKeyJwk: string): string {
  return Buffer.from(privateKeyJwk, "utf8").toString("base64");
}

/** PKCS#8 PEM of a private JWK given as JSON text. */
export function privateKeyPemOf(privateKeyJwk: string): string {
  return createPrivateKey({ key: JSON.parse(privateKeyJwk) as JsonWebKey, format: "jwk" }).export({
    type: "pkcs8",
    format: "pem",
  }) as string;
}

/** SPKI PEM of a public JWK. */
export function publicKeyPemOf(publicKeyJwk: Record<string, unknown>): string {
  return createPublicKey({ key: publicKeyJwk as JsonWebKey, format: "jwk" }).export({ type: "spki", format: "pem" }) as string;
}

/** Stored outputs without the forms earlier versions stored and this one derives. */
export function withoutDerivedForms<T extends object>(stored: T): T {
  return Object.fromEntries(Object.entries(stored).filter(([name]) => !(DERIVED_KEY_OUTPUTS as readonly string[]).includes(name))) as T;
}
