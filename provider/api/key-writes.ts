/**
 * How a change to one client's key set reaches the API without dropping someone else's key (issue 16).
 *
 * 1. Single-key writes: each added or changed key is `PUT /clients/{id}/jwks/{kid}`, each removed one
 *    `DELETE /clients/{id}/jwks/{kid}`. They touch no other key, so a concurrent writer (another stack, the
 *    portal) cannot lose a key through them. Digdir's OpenAPI types list these operations but no production
 *    caller shows them, so the first write finds out: 405, or 404 for a client that exists (a path no route
 *    maps), means the server lacks them, remembered for the life of this writer (the process's API client).
 * 2. Otherwise the whole set: read, change, `POST /clients/{id}/jwks` (or `DELETE` of the set when nothing is
 *    left), read back. A change landing between that read and the write is overwritten; the read-back then
 *    fails loudly when a key this write meant to register or keep is missing (see the README, "Concurrent
 *    writers").
 *
 * Either way the 5-key limit is checked before any write, keys sent get `use: "sig"` when they lack it (keys
 * registered before 2025-05-22), and the result is read back and checked. Callers serialize per client.
 */
import { ApiError, MaskinportenError } from "./errors";
import { exceedsKeyLimit, throwIfOverKeyLimit } from "./key-limit";
import type { Jwk } from "./wire";

/** What the writer needs of the API client: reads, and writes that resolve on any 2xx and throw `ApiError`s. */
export interface KeyWriteIo {
  getJwks(clientId: string): Promise<Jwk[]>;
  clientExists(clientId: string): Promise<boolean>;
  putKey(clientId: string, key: Jwk & { kid: string }): Promise<void>;
  deleteKey(clientId: string, kid: string): Promise<void>;
  /** Replaces the whole set (POST), or removes every key (DELETE) when `keys` is empty. */
  replaceKeys(clientId: string, keys: Jwk[]): Promise<void>;
  /** Milliseconds since the epoch, on the API's clock. */
  now(): number;
}

/** What one change does to a key set, key by key. */
export interface KeyPlan {
  /** Keys to add or replace (new kid, or other material or `exp` under a kid), with `use` set. */
  put: (Jwk & { kid: string })[];
  /** Kids to remove: gone from the wanted set, or expired keys that must make room. */
  remove: string[];
  /** Non-expired keys the client will have. */
  liveCount: number;
}

/** The whole-set fallback in use: the server lacks the single-key operations. */
const SINGLE_KEY_ABSENT = Symbol("single-key operations absent");

export class KeySetWriter {
  /** Learnt from the server's answers; `absent` sends every later change through the whole set. */
  private singleKeyEndpoints: "unknown" | "available" | "absent" = "unknown";

  constructor(private readonly io: KeyWriteIo) {}

  /** Whether the single-key operations were found missing (for tests and diagnostics). */
  get usesWholeSet(): boolean {
    return this.singleKeyEndpoints === "absent";
  }

  /** Applies `change` (current keys → wanted keys) to the client's keys; answers the keys read back. */
  async modify(clientId: string, change: (current: Jwk[]) => Jwk[]): Promise<Jwk[]> {
    if (this.singleKeyEndpoints !== "absent") {
      const result = await this.modifyKeyByKey(clientId, change);
      if (result !== SINGLE_KEY_ABSENT) return result;
      this.singleKeyEndpoints = "absent";
    }
    return this.modifyWholeSet(clientId, change);
  }

  private async modifyKeyByKey(clientId: string, change: (current: Jwk[]) => Jwk[]): Promise<Jwk[] | typeof SINGLE_KEY_ABSENT> {
    const current = await this.io.getJwks(clientId);
    const changed = change(copies(current));
    if (sameKeySet(current, changed)) return current;
    // A key without kid cannot be addressed on its own: only the whole set can carry it.
    if (changed.some((k) => k.kid === undefined) || current.some((k) => k.kid === undefined)) return this.modifyWholeSet(clientId, change);
    const plan = planKeyChanges(current, changed, this.nowSeconds());
    throwIfOverKeyLimit(clientId, kidList(current), plan.liveCount);
    for (const kid of plan.remove) {
      if ((await this.deleteOne(clientId, kid)) === SINGLE_KEY_ABSENT) return SINGLE_KEY_ABSENT;
    }
    for (const key of plan.put) {
      if ((await this.putOne(clientId, key)) === SINGLE_KEY_ABSENT) return SINGLE_KEY_ABSENT;
    }
    const written = await this.io.getJwks(clientId);
    throwIfLost(clientId, written, { ours: plan.put, kept: [], removed: current.filter((k) => plan.remove.includes(k.kid!)) });
    return written;
  }

  private async putOne(clientId: string, key: Jwk & { kid: string }): Promise<void | typeof SINGLE_KEY_ABSENT> {
    try {
      await this.io.putKey(clientId, key);
      this.singleKeyEndpoints = "available";
    } catch (err) {
      if (await this.meansAbsent(err, clientId)) return SINGLE_KEY_ABSENT;
      if (err instanceof ApiError && err.status === 400) await this.throwIfFull(clientId, err);
      throw err;
    }
  }

  private async deleteOne(clientId: string, kid: string): Promise<void | typeof SINGLE_KEY_ABSENT> {
    try {
      await this.io.deleteKey(clientId, kid);
      this.singleKeyEndpoints = "available";
    } catch (err) {
      if (!(err instanceof ApiError) || (err.status !== 404 && err.status !== 405)) throw err;
      // 404: the key is gone already (removed by someone else, or a retried DELETE), or the route is unmapped.
      if (err.status === 404 && !(await this.io.getJwks(clientId)).some((k) => k.kid === kid)) return;
      if (await this.meansAbsent(err, clientId)) return SINGLE_KEY_ABSENT;
      throw err;
    }
  }

  /**
   * A refusal that says the server has no single-key operations: 405, or 404 while the client exists (Spring
   * answers 404 for a path no handler maps). Once one has worked, a 404 is about the client or key instead.
   */
  private async meansAbsent(err: unknown, clientId: string): Promise<boolean> {
    if (!(err instanceof ApiError) || this.singleKeyEndpoints === "available") return false;
    if (err.status === 405) return true;
    return err.status === 404 && (await this.io.clientExists(clientId));
  }

  /** A 400 on adding a key to a client that has the maximum (another writer took the last place): name the limit. */
  private async throwIfFull(clientId: string, cause: ApiError): Promise<void> {
    const now = await this.io.getJwks(clientId);
    throwIfOverKeyLimit(clientId, kidList(now), now.length + 1, cause);
  }

  /**
   * The whole-set fallback: the set is read immediately before the write, so the window in which another
   * writer's change is overwritten is the write's own round trip; the read-back after it makes a loss of a key
   * this write meant to register or keep loud.
   */
  private async modifyWholeSet(clientId: string, change: (current: Jwk[]) => Jwk[]): Promise<Jwk[]> {
    const current = await this.io.getJwks(clientId);
    const changed = change(copies(current));
    if (sameKeySet(current, changed)) return current;
    const nowSeconds = this.nowSeconds();
    // Keys registered before the API version of 2025-05-22 may lack `use`; the API refuses them back without it.
    // Expired keys sign nothing any more, and the API refuses a key set holding one.
    const wanted = changed.filter((k) => !expired(k, nowSeconds)).map(withUse);
    throwIfOverKeyLimit(clientId, kidList(current), wanted.length);
    await this.io.replaceKeys(clientId, wanted);
    const written = await this.io.getJwks(clientId);
    const ours = wanted.filter((k) => !current.some((c) => sameKey(k, c)));
    throwIfLost(clientId, written, {
      ours,
      kept: wanted.filter((k) => !ours.includes(k)),
      removed: current.filter((c) => !wanted.some((k) => k.kid === c.kid)),
    });
    return written;
  }

  private nowSeconds(): number {
    return Math.floor(this.io.now() / 1000);
  }
}

/** The single-key operations that turn `current` into `changed`. */
export function planKeyChanges(current: readonly Jwk[], changed: readonly Jwk[], nowSeconds: number): KeyPlan {
  const put = changed.filter((k) => !expired(k, nowSeconds) && !current.some((c) => sameKey(k, c))).map(withUse) as (Jwk & {
    kid: string;
  })[];
  const remove = current.filter((c) => !changed.some((k) => k.kid === c.kid)).map((c) => c.kid!);
  const remaining = current.filter((c) => !remove.includes(c.kid!) && !put.some((k) => k.kid === c.kid));
  const liveCount = remaining.filter((k) => !expired(k, nowSeconds)).length + put.length;
  // The server counts expired keys too: remove them only when the new keys need their places.
  const expiredToDrop = exceedsKeyLimit(remaining.length + put.length)
    ? remaining.filter((k) => expired(k, nowSeconds)).map((k) => k.kid!)
    : [];
  return { put, remove: [...remove, ...expiredToDrop], liveCount };
}

/**
 * Fails when the key set read back just after a write lacks a key the write registered (`ours`) or meant to
 * keep (`kept`), or still holds one it removed: another writer changed the set at the same time. Keys that
 * appeared meanwhile are someone else's and are left alone.
 */
export function throwIfLost(
  clientId: string,
  written: readonly Jwk[],
  intent: { ours: readonly Jwk[]; kept: readonly Jwk[]; removed: readonly Jwk[] },
): void {
  const missing = (keys: readonly Jwk[]) => keys.filter((k) => !written.some((w) => sameKey(k, w))).map((k) => k.kid ?? "?");
  const oursMissing = missing(intent.ours);
  const keptMissing = missing(intent.kept);
  const stillThere = intent.removed.filter((k) => written.some((w) => sameKey(w, k, { exactExp: true }))).map((k) => k.kid ?? "?");
  if (oursMissing.length + keptMissing.length + stillThere.length === 0) return;
  const what = [
    oursMissing.length > 0 && `key ${oursMissing.join(", ")} just written is not registered`,
    keptMissing.length > 0 && `key ${keptMissing.join(", ")} that was registered when the set was read is gone`,
    stillThere.length > 0 && `key ${stillThere.join(", ")} just removed is still registered`,
  ].filter(Boolean);
  throw new MaskinportenError(
    "JWKS_NOT_AS_WRITTEN",
    `client ${clientId}: ${what.join("; ")} (found ${written.length > 0 ? kidList(written).join(", ") : "no keys"}): ` +
      "another writer (the portal or another stack) changed the key set at the same time; run again to converge",
  );
}

/** Same kid and key material; the same `exp` unless this side left it to the server (or `exactExp`). */
function sameKey(wanted: Jwk, found: Jwk, options: { exactExp?: boolean } = {}): boolean {
  if (wanted.kid !== found.kid || wanted.n !== found.n || wanted.e !== found.e || wanted.alg !== found.alg) return false;
  return wanted.exp === undefined && !options.exactExp ? true : wanted.exp === found.exp;
}

function sameKeySet(a: readonly Jwk[], b: readonly Jwk[]): boolean {
  return a.length === b.length && b.every((k) => a.some((c) => sameKey(c, k, { exactExp: true })));
}

function expired(key: Jwk, nowSeconds: number): boolean {
  return key.exp !== undefined && key.exp <= nowSeconds;
}

function withUse(key: Jwk): Jwk {
  return key.use === undefined ? { ...key, use: "sig" } : key;
}

function copies(keys: readonly Jwk[]): Jwk[] {
  return keys.map((k) => ({ ...k }));
}

function kidList(keys: readonly Jwk[]): string[] {
  return keys.map((k) => k.kid ?? "(no kid)");
}
