/** RSA key material of the simulator: its signing key, and admin keys of seeded organisations. */
import { generateKeyPair, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import type { JWK } from "jose";

export interface RsaKeyPair {
  /** Private JWK with kid, alg and use. */
  privateJwk: JWK & { kid: string; alg: string };
  /** Public JWK (kty, kid, use, alg, n, e). */
  publicJwk: JWK & { kid: string; alg: string };
}

export function generateRsaKeyPair(kid: string, bits = 2048, alg = "RS256"): Promise<RsaKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair("rsa", { modulusLength: bits }, (err, publicKey, privateKey) => {
      if (err) return reject(err);
      const priv = privateKey.export({ format: "jwk" }) as JWK;
      const pub = publicKey.export({ format: "jwk" }) as JWK;
      resolve({
        privateJwk: { ...priv, kid, alg, use: "sig" },
        publicJwk: { kty: "RSA", kid, use: "sig", alg, n: pub.n, e: pub.e },
      });
    });
  });
}

export function publicPart(jwk: JWK & { kid: string; alg: string }): JWK & { kid: string; alg: string } {
  return { kty: "RSA", kid: jwk.kid, use: "sig", alg: jwk.alg, n: jwk.n, e: jwk.e };
}

export function privateKeyObject(jwk: JWK): KeyObject {
  return createPrivateKey({ key: jwk as never, format: "jwk" });
}

export function publicKeyObject(jwk: JWK): KeyObject {
  return createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e } as never, format: "jwk" });
}
