/**
 * Registering a generated key next to the key it succeeds, and verifying it: shared by `ClientKey` (a
 * replacement) and `RotatingClientKey` (an update). Nothing is removed here before the new key is in.
 */
import type { Connection } from "../../api/connection";
import { MaskinportenError } from "../../api/errors";
import { TooManyKeysError } from "../../api/maskinporten-api";
import type { Jwk } from "../../api/wire";
import type { GeneratedKey } from "../../keys";
import { registeredUnder, withKey, withoutKey } from "./expand";
import { freeKid, withKid } from "./generated";
import type { VerifySettings } from "./schema";
import { KeyNotVerifiedError, verifyKey } from "./verify";

export interface RegisterOptions {
  /** The program fixed the kid: a clash is an error, not a reason to pick the next free kid. */
  fixedKid: boolean;
  /** Expiry to register (epoch seconds); Maskinporten's (one year) when left out. */
  exp?: number;
  /** Said after the API's message when the client has no free place for the key. */
  whenFull?: string;
}

/** Registers the key's public half and returns the key (its kid settled) and the registration as the API holds it. */
export async function registerGenerated(connection: Connection, clientId: string, key: GeneratedKey, options: RegisterOptions): Promise<{ key: GeneratedKey; registered: Jwk }> {
  let settled = key;
  let keys: Jwk[];
  try {
    keys = await connection.api.modifyJwks(clientId, (current) => {
      if (!options.fixedKid) settled = withKid(key, freeKid(current, key.kid, key.thumbprint));
      return withKey(current, { ...settled.publicJwk, ...(options.exp !== undefined && { exp: options.exp }) }, clientId);
    });
  } catch (err) {
    if (!(err instanceof TooManyKeysError) || options.whenFull === undefined) throw err;
    throw new MaskinportenError("TOO_MANY_KEYS", `${err.message} ${options.whenFull}`, { cause: err });
  }
  return { key: settled, registered: registeredUnder(keys, clientId, settled.kid) };
}

/**
 * Verifies the new key (see `verifyKey`); one that gets no token is removed again, so the failure leaves
 * nothing behind, and the error says so and what `kept` (the keys that stay).
 */
export async function verifiedOrRemoved(connection: Connection, clientId: string, key: GeneratedKey, verify: VerifySettings, kept: string): Promise<void> {
  try {
    await verifyKey(connection, clientId, key, verify);
  } catch (err) {
    if (!(err instanceof KeyNotVerifiedError)) throw err;
    const removal = await connection.api.modifyJwks(clientId, (keys) => withoutKey(keys, key.kid, key.thumbprint)).then(
      () => `It was removed again; ${kept}: nothing changed.`,
      (removeErr: unknown) => `Removing it again failed too (${(removeErr as Error).message}): unregister kid "${key.kid}" from the client in the portal; ${kept}.`,
    );
    throw new MaskinportenError(
      "KEY_NOT_VERIFIED",
      `${err.message}. ${removal} Maskinporten takes up to 2 minutes to see a new key: run \`pulumi up\` again, or give verify.timeoutSeconds more time; ` +
        `and check that client ${clientId} has the scope "${verify.scope}" and may use it.`,
    );
  }
}
