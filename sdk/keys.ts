/**
 * Key pairs for Maskinporten clients, for programs: generate them, name them as altinn-jwks does, and turn
 * any public form into the JWK Maskinporten registers. Free of Pulumi.
 */
import "../provider/api/node-support"; // first: refuses an unsupported Node.js before undici or jose load
import { altinnKid, generateKeyPair, type GeneratedKey, type ModulusLength } from "../provider/keys/generate";
import { KeyError } from "../provider/api/errors";
import type { JwkAlgorithm } from "../provider/api/jwk-constants";

export {
  altinnKid,
  DEFAULT_MODULUS_LENGTH,
  generateKeyPair,
  MODULUS_LENGTHS,
  type GeneratedKey,
  type GenerateKeyOptions,
  type ModulusLength,
  type PrivateJwk,
} from "../provider/keys/generate";
export { toPublicJwk, type PublicJwk, type PublicKeyOptions, type PublicKeyResult } from "../provider/keys/public-key";
export { KeyError, type KeyErrorCode } from "../provider/api/errors";

export const ALTINN_ENVIRONMENTS = ["TEST", "PROD"] as const;

export interface AltinnKeyPairsOptions {
  /** Default `["TEST", "PROD"]`, as `altinn-jwks create` makes them. */
  environments?: readonly string[];
  algorithm?: JwkAlgorithm;
  modulusLength?: ModulusLength;
  /** The date in the kids (UTC); today by default. */
  date?: Date;
}

export interface AltinnKeyPair extends GeneratedKey {
  /** `TEST`, `PROD`, ... upper case. */
  environment: string;
}

/**
 * One key pair per environment with altinn-jwks' kids, `<name>-TEST.<yyyy-mm-dd>` and `<name>-PROD.<yyyy-mm-dd>`,
 * like `altinn-jwks create NAME`.
 */
export async function generateAltinnKeyPairs(name: string, options: AltinnKeyPairsOptions = {}): Promise<AltinnKeyPair[]> {
  const environments = [...new Set((options.environments ?? ALTINN_ENVIRONMENTS).map((e) => e.trim().toUpperCase()))];
  if (environments.length === 0 || environments.some((e) => !/^[A-Z0-9]+$/.test(e))) {
    throw new KeyError("INVALID_KEY", "environments", 'must be environment names of letters and digits, such as "TEST" and "PROD"');
  }
  const date = options.date ?? new Date();
  const kids = environments.map((environment) => altinnKid(name, environment, date));
  return Promise.all(
    environments.map(async (environment, i) => ({
      environment,
      ...(await generateKeyPair({
        kid: kids[i]!,
        ...(options.algorithm !== undefined && { algorithm: options.algorithm }),
        ...(options.modulusLength !== undefined && { modulusLength: options.modulusLength }),
      })),
    })),
  );
}
