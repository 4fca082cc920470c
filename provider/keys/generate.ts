import { generateKeyPair as generateNodeKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { kidProblem } from "../api/validation";
import { JWK_ALGORITHMS, type JwkAlgorithm } from "../api/jwk-constants";
import { KeyError } from "../api/errors";
import { DEFAULT_ALGORITHM, jwkThumbprint, publicJwkOf, type PublicJwk } from "./jwk";
import { rsaComponents } from "./rsa";

export const MODULUS_LENGTHS = [2048, 3072, 4096] as const;
export type ModulusLength = (typeof MODULUS_LENGTHS)[number];
/**
 * 3072 bits: 2048 is Maskinporten's minimum and NIST's floor only until 2030 (SP 800-57), and a default
 * outlives the keys made with it. Signing cost is irrelevant (one signature per token); generation takes
 * about a second longer than 2048 at most.
 */
export const DEFAULT_MODULUS_LENGTH: ModulusLength = 3072;

export interface GenerateKeyOptions {
  algorithm?: JwkAlgorithm;
  modulusLength?: ModulusLength;
  /** The key id; its RFC 7638 thumbprint by default. See `altinnKid` for the altinn-jwks naming. */
  kid?: string;
}

/** The private JWK as written by `altinn-jwks export key`: the public members plus d, p, q, dp, dq, qi. */
export interface PrivateJwk extends PublicJwk {
  d: string;
  p: string;
  q: string;
  dp: string;
  dq: string;
  qi: string;
}

export interface GeneratedKey {
  kid: string;
  alg: JwkAlgorithm;
  thumbprint: string;
  publicJwk: PublicJwk;
  privateJwk: PrivateJwk;
  privateJwkJson: string;
  /** Standard base64 of `privateJwkJson`: the `altinn-jwks export key --base64` format, for vaults. */
  privateJwkBase64: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
}

/** A new RSA key pair for a Maskinporten client, in every form it is registered and stored in. */
export async function generateKeyPair(options: GenerateKeyOptions = {}): Promise<GeneratedKey> {
  const alg = options.algorithm ?? DEFAULT_ALGORITHM;
  const modulusLength = options.modulusLength ?? DEFAULT_MODULUS_LENGTH;
  if (!JWK_ALGORITHMS.includes(alg)) {
    throw new KeyError("INVALID_KEY", "algorithm", `must be one of ${JWK_ALGORITHMS.join(", ")}`);
  }
  if (!MODULUS_LENGTHS.includes(modulusLength)) {
    const code = modulusLength < MODULUS_LENGTHS[0] ? "KEY_TOO_SMALL" : "INVALID_KEY";
    throw new KeyError(code, "modulusLength", `must be one of ${MODULUS_LENGTHS.join(", ")} bits`);
  }
  if (options.kid !== undefined) requireKid(options.kid, "kid");

  const { privateKey, publicKey } = await promisify(generateNodeKeyPair)("rsa", { modulusLength });
  const { n, e } = rsaComponents(publicKey);
  const thumbprint = await jwkThumbprint({ kty: "RSA", n, e });
  const kid = options.kid ?? thumbprint;
  const publicJwk = publicJwkOf({ kid, alg, n, e }) as unknown as PublicJwk;
  const privateJwk: PrivateJwk = { ...publicJwk, ...privateMembers(privateKey) };
  const privateJwkJson = JSON.stringify(privateJwk);
  return {
    kid,
    alg,
    thumbprint,
    publicJwk,
    privateJwk,
    privateJwkJson,
    privateJwkBase64: Buffer.from(privateJwkJson, "utf8").toString("base64"),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }) as string,
  };
}

function privateMembers(privateKey: KeyObject): Pick<PrivateJwk, "d" | "p" | "q" | "dp" | "dq" | "qi"> {
  const { d, p, q, dp, dq, qi } = privateKey.export({ format: "jwk" });
  return { d: d!, p: p!, q: q!, dp: dp!, dq: dq!, qi: qi! };
}

/**
 * The kid altinn-jwks gives a key: `<name>-<ENV>.<yyyy-mm-dd>` (UTC date), e.g. `testklient-TEST.2024-07-10`.
 * Dating kids keeps them unique across rotations and tells at a glance which key is which.
 */
export function altinnKid(name: string, environment: "TEST" | "PROD" | (string & {}), date: Date): string {
  if (name === "") throw new KeyError("INVALID_KEY", "name", 'is empty; give the client\'s short name, such as "testklient"');
  if (Number.isNaN(date.getTime())) throw new KeyError("INVALID_KEY", "date", "is not a valid date");
  const kid = `${name}-${environment.toUpperCase()}.${date.toISOString().slice(0, 10)}`;
  requireKid(kid, "kid");
  return kid;
}

function requireKid(kid: string, field: string): void {
  const problem = kidProblem(kid, field);
  if (problem) throw new KeyError("INVALID_KEY", problem.field, problem.message);
}
