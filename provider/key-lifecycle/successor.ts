/**
 * Registering a generated key next to the key it succeeds, and verifying it: shared by `ClientKey` (a
 * replacement) and `RotatingClientKey` (an update). Nothing is removed here before the new key is in.
 */
import type { Connection } from "../api/connection";
import { KeyNotVerifiedError, MaskinportenError, TooManyKeysError } from "../api/errors";
import type { Jwk } from "../api/wire";
import type { GeneratedKey } from "../keys";
import { registeredUnder, withKey, withoutKey } from "./key-set";
import { warnInEngine } from "../engine-log";
import { freeKid, withKid } from "./generated";
import { orphansAmong, type Orphans } from "./kid-marker";
import { rsaThumbprint } from "./thumbprint";
import type { VerifySettings } from "./settings";
import { verifyKey } from "./verify";

export interface RegisterOptions {
  /** The program fixed the kid: a clash is an error, not a reason to pick the next free kid. */
  fixedKid: boolean;
  /** Expiry to register (epoch seconds); Maskinporten's (one year) when left out. */
  exp?: number;
  /** Said after the API's message when the client has no free place for the key. */
  whenFull?: string;
  /** This resource's marker and the kids its state holds: its other marked keys are removed in the same write. */
  orphans?: Orphans;
}

/**
 * Registers the key's public half and returns the key (its kid settled) and the registration as the API holds
 * it. If the registration fails after the key set may have been written (an answer lost, the read-back
 * failing), the key is removed again: its private half exists only in this process, so a key left registered
 * would be an orphan that no one can sign with, filling one of the client's five places. Such keys that a killed
 * run of this resource left behind go in the same write (`kid-marker.ts`), and the engine is told.
 */
export async function registerGenerated(
  connection: Connection,
  clientId: string,
  key: GeneratedKey,
  options: RegisterOptions,
): Promise<{ key: GeneratedKey; registered: Jwk }> {
  let settled = key;
  let removed: Jwk[] = [];
  try {
    const keys = await connection.api.modifyJwks(clientId, (current) => {
      removed = options.orphans === undefined ? [] : orphansAmong(current, options.orphans);
      const kept = current.filter((k) => !removed.includes(k));
      if (!options.fixedKid) settled = withKid(key, freeKid(kept, key.kid, key.thumbprint));
      return withKey(kept, { ...settled.publicJwk, ...(options.exp !== undefined && { exp: options.exp }) }, clientId);
    });
    if (removed.length > 0) await warnInEngine(orphansRemoved(clientId, removed));
    return { key: settled, registered: registeredUnder(keys, clientId, settled.kid) };
  } catch (err) {
    if (err instanceof TooManyKeysError) {
      if (options.whenFull === undefined) throw err;
      throw new MaskinportenError("TOO_MANY_KEYS", `${err.message} ${options.whenFull}`, { cause: err });
    }
    throw await withoutTheNewKey(connection, clientId, key.thumbprint, err);
  }
}

function orphansRemoved(clientId: string, removed: readonly Jwk[]): string {
  const kids = removed.map((k) => `"${k.kid}"`).join(", ");
  return (
    `removed ${removed.length === 1 ? "key" : "keys"} ${kids} from client ${clientId}: an interrupted run of this resource registered ` +
    `${removed.length === 1 ? "it" : "them"}, and the private ${removed.length === 1 ? "half was" : "halves were"} lost with that run, so nobody could sign with ${removed.length === 1 ? "it" : "them"}.`
  );
}

/** Removes every key with this material from the client and returns `err` with what became of the key. */
async function withoutTheNewKey(connection: Connection, clientId: string, thumbprint: string, err: unknown): Promise<Error> {
  const message = err instanceof Error ? err.message : String(err);
  const outcome = await connection.api
    .modifyJwks(clientId, (keys) => keys.filter((k) => rsaThumbprint(k) !== thumbprint))
    .then(
      () => "The new key is not left registered: run `pulumi up` again.",
      (removeErr: unknown) =>
        `The new key (thumbprint ${thumbprint}) may be registered without anyone holding its private key; removing it failed too ` +
        `(${(removeErr as Error).message}): unregister it from client ${clientId} in the portal (\`maskinporten keys list --client-id ${clientId}\`).`,
    );
  const code = err instanceof MaskinportenError ? err.code : "KEY_NOT_REGISTERED";
  return new MaskinportenError(code, `registering the generated key on client ${clientId} failed: ${message}. ${outcome}`, { cause: err });
}

/**
 * Verifies the new key (see `verifyKey`); one that gets no token is removed again, so the failure leaves
 * nothing behind, and the error says so and what `kept` (the keys that stay).
 */
export async function verifiedOrRemoved(
  connection: Connection,
  clientId: string,
  key: GeneratedKey,
  verify: VerifySettings,
  kept: string,
): Promise<void> {
  try {
    await verifyKey(connection, clientId, key, verify);
  } catch (err) {
    if (!(err instanceof KeyNotVerifiedError)) throw err;
    const removal = await connection.api
      .modifyJwks(clientId, (keys) => withoutKey(keys, key.kid, key.thumbprint))
      .then(
        () => `It was removed again; ${kept}: nothing changed.`,
        (removeErr: unknown) =>
          `Removing it again failed too (${(removeErr as Error).message}): unregister kid "${key.kid}" from the client in the portal; ${kept}.`,
      );
    throw new MaskinportenError(
      "KEY_NOT_VERIFIED",
      `${err.message}. ${removal} Maskinporten takes up to 2 minutes to see a new key: run \`pulumi up\` again, or give verify.timeoutSeconds more time; ` +
        `and check that client ${clientId} has the scope "${verify.scope}" and may use it.`,
    );
  }
}
