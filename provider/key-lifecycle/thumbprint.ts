import { createHash } from "node:crypto";

/**
 * The RFC 7638 SHA-256 thumbprint of an RSA key, computed synchronously so it can be used inside the
 * read-modify-write of a client's keys. Undefined for a key without RSA members.
 */
export function rsaThumbprint(key: { kty?: unknown; n?: unknown; e?: unknown }): string | undefined {
  if (key.kty !== "RSA" || typeof key.n !== "string" || typeof key.e !== "string") return undefined;
  // Members in lexicographic order, no whitespace: the RFC's canonical form.
  return createHash("sha256")
    .update(JSON.stringify({ e: key.e, kty: "RSA", n: key.n }))
    .digest("base64url");
}
