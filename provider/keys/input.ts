/**
 * Turns whatever a user has (a JWK object, JWK JSON, a JWKS with one key, base64 of any of those, PEM, DER
 * bytes or their base64, or a KeyObject) into one of a few kinds of key material. It applies no rule of
 * Maskinporten's: `public-key.ts`, `private-key.ts` and `certificate.ts` decide what each kind is good for.
 *
 * Nothing here puts the input into a message or an error's cause: parsers' own messages can quote it
 * (JSON.parse does).
 */
import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from "node:crypto";
import { kidProblem } from "../api/validation";
import { PRIVATE_JWK_MEMBERS } from "../api/jwk-constants";
import { KeyError } from "../api/errors";

export type JwkObject = Record<string, unknown>;

export type KeyMaterial =
  | { kind: "jwk"; jwk: JwkObject; isPrivate: boolean }
  | { kind: "public"; key: KeyObject }
  | { kind: "private"; key: KeyObject }
  /** Private, but not readable here; `reason` says why and how to convert it. */
  | { kind: "unreadable-private"; reason: string }
  /** As given, the first being the leaf by convention. */
  | { kind: "certificates"; certificates: X509Certificate[] };

const EXPECTED = "expected a JWK (object, JSON or base64 JSON, alone or as the only key of a JWKS) or a PEM key or certificate";

export function readKeyMaterial(input: unknown, field: string): KeyMaterial {
  if (typeof input === "string") return fromText(input, field);
  if (input instanceof KeyObject) return fromKeyObject(input, field);
  if (input instanceof Uint8Array) {
    return input[0] === 0x30 ? fromDer(Buffer.from(input), field) : fromText(Buffer.from(input).toString("utf8"), field);
  }
  if (typeof input === "object" && input !== null) return fromJson(input, field);
  throw unreadable(field, `got ${input === null ? "null" : `a ${typeof input}`}; ${EXPECTED}`);
}

function fromKeyObject(key: KeyObject, field: string): KeyMaterial {
  if (key.type === "private") return { kind: "private", key };
  if (key.type === "public") return { kind: "public", key };
  throw new KeyError("UNSUPPORTED_KEY_TYPE", field, "is a symmetric secret key; Maskinporten needs an RSA key pair");
}

/** True when a JWK holds anything secret: a private RSA/EC/OKP member, extra primes, or a symmetric key. */
export function isPrivateJwk(jwk: JwkObject): boolean {
  if (PRIVATE_JWK_MEMBERS.some((member) => jwk[member] !== undefined) || jwk["k"] !== undefined) return true;
  const oth = jwk["oth"];
  return Array.isArray(oth) ? oth.length > 0 : oth !== undefined;
}

function fromText(raw: string, field: string): KeyMaterial {
  const text = raw.replace(/^\uFEFF/, "").trim();
  if (text === "") throw unreadable(field, `is empty; ${EXPECTED}`);
  if (text.includes("-----BEGIN")) return fromPem(text, field);
  if (text.startsWith("{") || text.startsWith("[")) return fromJsonText(text, field, "is JSON that does not parse");
  const compact = text.replace(/\r?\n/g, ""); // base64 is often wrapped; spaces mean it is not base64
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return fromBase64(compact, field);
  throw unreadable(field, `is a string of ${text.length} characters that is neither JSON, PEM nor base64; ${EXPECTED}`);
}

function fromBase64(compact: string, field: string): KeyMaterial {
  const bytes = Buffer.from(compact, "base64");
  const decoded = bytes
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trim();
  if (decoded.startsWith("{") || decoded.startsWith("[")) {
    return fromJsonText(decoded, field, "is base64 of text that looks like JSON but does not parse");
  }
  if (decoded.startsWith("-----BEGIN")) return fromPem(decoded, field);
  if (bytes[0] === 0x30) return fromDer(bytes, field);
  throw unreadable(field, `is base64, but not of a JWK, a PEM file or a DER key or certificate; ${EXPECTED}`);
}

function fromJsonText(text: string, field: string, problem: string): KeyMaterial {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw unreadable(field, `${problem}; check that it was copied whole`);
  }
  if (typeof value !== "object" || value === null) throw unreadable(field, `is JSON, but not an object or array; ${EXPECTED}`);
  return fromJson(value, field);
}

function fromJson(value: object, field: string): KeyMaterial {
  const keys: unknown = Array.isArray(value) ? value : (value as JwkObject)["keys"];
  if (Array.isArray(keys)) return fromKeySet(keys, field);
  const jwk = value as JwkObject;
  if (typeof jwk["kty"] !== "string") {
    throw unreadable(field, `is an object without "kty", so not a JWK; ${EXPECTED}`);
  }
  return { kind: "jwk", jwk, isPrivate: isPrivateJwk(jwk) };
}

function fromKeySet(keys: unknown[], field: string): KeyMaterial {
  if (keys.length === 0) throw new KeyError("INVALID_KEY", field, "is a key set with no keys; give the one key to use");
  if (keys.length > 1) {
    const kids = keys.map((k) => {
      const kid = typeof k === "object" && k !== null ? (k as JwkObject)["kid"] : undefined;
      return kidProblem(kid, "kid") ? "(no usable kid)" : `"${kid as string}"`;
    });
    throw new KeyError("MULTIPLE_KEYS", field, `is a key set with ${keys.length} keys (${kids.join(", ")}); give exactly one key`);
  }
  const only = keys[0];
  if (typeof only !== "object" || only === null || Array.isArray(only)) {
    throw unreadable(field, `is a key set whose only entry is not a JWK object; ${EXPECTED}`);
  }
  return fromJson(only, field);
}

function fromPem(raw: string, field: string): KeyMaterial {
  // Environment variables and some secret stores carry PEM with literal "\n" instead of line breaks.
  const text = !raw.includes("\n") && raw.includes("\\n") ? raw.replace(/\\n/g, "\n") : raw;
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)].map((m) => ({ label: m[1] ?? "", pem: m[0] }));
  if (blocks.length === 0) {
    throw unreadable(field, "has a PEM header but no complete PEM block; copy every line from -----BEGIN to -----END");
  }
  const privates = blocks.filter((b) => b.label.endsWith("PRIVATE KEY"));
  if (privates.length > 1) throw new KeyError("MULTIPLE_KEYS", field, `holds ${privates.length} private keys; give exactly one`);
  const [privateBlock] = privates;
  if (privateBlock) return privatePem(privateBlock.label, privateBlock.pem);

  const publics = blocks.filter((b) => b.label === "PUBLIC KEY" || b.label === "RSA PUBLIC KEY");
  const certificates = blocks.filter((b) => b.label === "CERTIFICATE" || b.label === "X509 CERTIFICATE");
  if (publics.length + (certificates.length > 0 ? 1 : 0) > 1) {
    throw new KeyError(
      "MULTIPLE_KEYS",
      field,
      "holds several public keys or certificates and public keys; give exactly one key or one certificate chain",
    );
  }
  const [publicBlock] = publics;
  if (publicBlock) return { kind: "public", key: parse(field, () => createPublicKey(publicBlock.pem), "public key") };
  if (certificates.length > 0) {
    return { kind: "certificates", certificates: certificates.map((c) => parse(field, () => new X509Certificate(c.pem), "certificate")) };
  }
  const labels = [...new Set(blocks.map((b) => b.label))].join(", ");
  throw unreadable(field, `holds PEM of another kind (${labels}); ${EXPECTED}`);
}

function privatePem(label: string, pem: string): KeyMaterial {
  if (label === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,ENCRYPTED/.test(pem)) {
    return {
      kind: "unreadable-private",
      reason:
        "is encrypted with a passphrase; give it unencrypted, e.g. from `openssl pkcs8 -topk8 -nocrypt -in key.pem -out plain.pem`, and keep it as a secret",
    };
  }
  if (label === "OPENSSH PRIVATE KEY") {
    return {
      kind: "unreadable-private",
      reason: "is in OpenSSH format; convert a copy to PKCS#8 with `ssh-keygen -p -m PKCS8 -f <copy>`",
    };
  }
  try {
    return { kind: "private", key: createPrivateKey(pem) };
  } catch {
    return { kind: "unreadable-private", reason: `is a PEM "${label}" block that does not parse; check that it was copied whole` };
  }
}

/** The base64 body of a PEM, or the bytes of a .der/.cer file. */
function fromDer(der: Buffer, field: string): KeyMaterial {
  // Private formats first: createPublicKey also accepts private DER, deriving its public key.
  const attempts: (() => KeyMaterial)[] = [
    () => ({ kind: "private", key: createPrivateKey({ key: der, format: "der", type: "pkcs8" }) }),
    () => ({ kind: "private", key: createPrivateKey({ key: der, format: "der", type: "pkcs1" }) }),
    () => ({ kind: "private", key: createPrivateKey({ key: der, format: "der", type: "sec1" }) }),
    () => ({ kind: "certificates", certificates: [new X509Certificate(der)] }),
    () => ({ kind: "public", key: createPublicKey({ key: der, format: "der", type: "spki" }) }),
    () => ({ kind: "public", key: createPublicKey({ key: der, format: "der", type: "pkcs1" }) }),
  ];
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch {
      // try the next format
    }
  }
  if (looksLikePkcs12(der)) {
    throw unreadable(field, "is a PKCS#12 file (.p12/.pfx); give it as a business certificate with its password instead");
  }
  throw unreadable(field, `is DER data that is not a key or certificate; ${EXPECTED}`);
}

/** PFX ::= SEQUENCE { version INTEGER (3), ... }: a cheap hint for a common mix-up. */
function looksLikePkcs12(der: Buffer): boolean {
  const lengthBytes = (der[1] ?? 0) & 0x80 ? (der[1] ?? 0) & 0x7f : 0;
  const at = 2 + lengthBytes;
  return der[0] === 0x30 && der[at] === 0x02 && der[at + 1] === 0x01 && der[at + 2] === 0x03;
}

function parse<T>(field: string, make: () => T, what: string): T {
  try {
    return make();
  } catch {
    throw unreadable(field, `holds a PEM ${what} that does not parse; check that it was copied whole`);
  }
}

function unreadable(field: string, message: string): KeyError {
  return new KeyError("UNREADABLE_KEY", field, message);
}
