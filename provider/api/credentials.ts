/**
 * The credential a caller signs its JWT grants with: a private key registered on the client (header `kid`),
 * or a business certificate (header `x5c`). Read from configuration, whose key names appear in every error.
 */
import type { KeyObject } from "node:crypto";
import { loadBusinessCertificate } from "../keys/certificate";
import { loadPrivateKey } from "../keys/private-key";
import type { PublicJwk } from "../keys/jwk";
import { ConfigError } from "./errors";
import type { JwkAlgorithm } from "./jwk-constants";

export interface KeyCredential {
  kind: "key";
  clientId: string;
  key: KeyObject;
  kid: string;
  alg: JwkAlgorithm;
  /** The public half as registered, for diagnostics (which key is this?). */
  publicJwk: PublicJwk;
}

export interface CertificateCredential {
  kind: "certificate";
  clientId: string;
  key: KeyObject;
  /** Leaf first, base64 DER. */
  x5c: string[];
  orgno: string;
  alg: "RS256";
  subject: string;
  notAfter: Date;
}

export type Credential = KeyCredential | CertificateCredential;

/**
 * Credential settings as configuration holds them (`maskinporten:clientId`, `maskinporten:privateKey`, ...).
 * Exactly one form: `privateKey` (+ `kid`), `p12` + `p12Password`, or `certificatePem` + `certificateKeyPem`.
 * Empty strings count as not set, except `p12Password`, where "" is the empty password.
 */
export interface CredentialSpec {
  clientId?: string;
  /** Private JWK JSON, its base64 (altinn-jwks), or PEM. */
  privateKey?: string;
  /** Required with a PEM private key; wins over a JWK's own kid. */
  kid?: string;
  /** Path to a PKCS#12 file, or its base64 content. */
  p12?: string;
  p12Password?: string;
  certificatePem?: string;
  certificateKeyPem?: string;
}

export interface LoadCredentialOptions {
  /** Prepended to the spec's names in messages: `maskinporten:` by default, e.g. `maskinporten:profiles.prod.`. */
  fieldPrefix?: string;
  /** A certificate must be valid at this time; the clock by default. */
  now?: Date;
}

type Form = "key" | "p12" | "pem";

export async function loadCredential(spec: CredentialSpec, options: LoadCredentialOptions = {}): Promise<Credential> {
  const name = (key: keyof CredentialSpec) => `${options.fieldPrefix ?? "maskinporten:"}${key}`;
  const clientId = requireClientId(spec.clientId, name("clientId"));
  switch (credentialForm(spec, name)) {
    case "key": {
      const loaded = await loadPrivateKey(spec.privateKey!, { field: name("privateKey"), kid: set(spec.kid), kidField: name("kid") });
      return { kind: "key", clientId, key: loaded.key, kid: loaded.kid, alg: loaded.alg, publicJwk: loaded.publicJwk };
    }
    case "p12": {
      const certificate = await loadBusinessCertificate(
        { p12: spec.p12!, password: spec.p12Password! },
        { field: name("p12"), passwordField: name("p12Password"), now: options.now },
      );
      return certificateCredential(clientId, certificate);
    }
    case "pem": {
      const certificate = await loadBusinessCertificate(
        { certificatePem: spec.certificatePem!, privateKeyPem: spec.certificateKeyPem! },
        { field: name("certificatePem"), keyField: name("certificateKeyPem"), now: options.now },
      );
      return certificateCredential(clientId, certificate);
    }
  }
}

function certificateCredential(clientId: string, certificate: Awaited<ReturnType<typeof loadBusinessCertificate>>): CertificateCredential {
  const { key, x5c, orgno, subject, notAfter } = certificate;
  return { kind: "certificate", clientId, key, x5c, orgno, alg: "RS256", subject, notAfter };
}

function credentialForm(spec: CredentialSpec, name: (key: keyof CredentialSpec) => string): Form {
  const given: Form[] = [];
  if (set(spec.privateKey) !== undefined) given.push("key");
  if (set(spec.p12) !== undefined) given.push("p12");
  if (set(spec.certificatePem) !== undefined || set(spec.certificateKeyPem) !== undefined) given.push("pem");
  const choices =
    `${name("privateKey")} (with ${name("kid")} for a PEM key), ${name("p12")} with ${name("p12Password")}, ` +
    `or ${name("certificatePem")} with ${name("certificateKeyPem")}`;
  const [form, ...more] = given;
  if (form === undefined) {
    throw new ConfigError(name("privateKey"), `no credential is configured for the Maskinporten client: set one of ${choices}`);
  }
  if (more.length > 0) {
    const names = given.map((f) => name(f === "key" ? "privateKey" : f === "p12" ? "p12" : "certificatePem"));
    throw new ConfigError(names[1]!, `several credentials are configured (${names.join(", ")}); set exactly one of ${choices}`);
  }
  if (form !== "key" && set(spec.kid) !== undefined) {
    throw new ConfigError(
      name("kid"),
      `is used only with ${name("privateKey")}; a business certificate identifies itself by its chain (x5c): remove ${name("kid")}`,
    );
  }
  if (form !== "p12" && spec.p12Password !== undefined) {
    throw new ConfigError(name("p12Password"), `is set but ${name("p12")} is not; set both, or remove ${name("p12Password")}`);
  }
  if (form === "p12" && spec.p12Password === undefined) {
    throw new ConfigError(name("p12Password"), `is required with ${name("p12")}: give the password of the PKCS#12 file (as a secret)`);
  }
  if (form === "pem" && set(spec.certificatePem) === undefined) {
    throw new ConfigError(name("certificatePem"), `is required with ${name("certificateKeyPem")}: give the business certificate as PEM`);
  }
  if (form === "pem" && set(spec.certificateKeyPem) === undefined) {
    throw new ConfigError(
      name("certificateKeyPem"),
      `is required with ${name("certificatePem")}: give the certificate's private key as PEM (as a secret)`,
    );
  }
  return form;
}

function requireClientId(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(
      field,
      "is required: the client_id (integration id) of the Maskinporten client that signs in, from the self-service portal",
    );
  }
  if (/\s/.test(value.trim())) throw new ConfigError(field, "contains whitespace; copy the client_id exactly");
  return value.trim();
}

function set(value: string | undefined): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}
