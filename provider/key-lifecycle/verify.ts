/**
 * Verified rotation: before a key replaces another, the client gets a Maskinporten token with the new key.
 * Maskinporten takes up to 2 minutes to see a new key, so refusals are retried, with growing pauses, until
 * one works or the time is up. Every refusal is retried: the token endpoint lags behind the API for keys,
 * clients and scope grants alike, and the final message names the last answer.
 */
import { createPrivateKey } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Connection } from "../api/connection";
import type { KeyCredential } from "../api/credentials";
import { AuthError, KeyNotVerifiedError, MaskinportenError } from "../api/errors";
import { TokenSource } from "../api/token";
import type { GeneratedKey } from "../keys";
import { DEFAULT_VERIFY_TIMEOUT_SECONDS, type VerifySettings } from "./settings";

const FIRST_PAUSE_MS = 500;
const LONGEST_PAUSE_MS = 10_000;

export interface Verified {
  attempts: number;
  /** From the first attempt to the token, ms. */
  waitedMs: number;
}

/** Mints tokens as the client with `key` for `settings.scope` until one comes, or throws `KeyNotVerifiedError`. */
export async function verifyKey(
  connection: Pick<Connection, "transport" | "metadata">,
  clientId: string,
  key: GeneratedKey,
  settings: VerifySettings,
): Promise<Verified> {
  const timeoutMs = (settings.timeoutSeconds ?? DEFAULT_VERIFY_TIMEOUT_SECONDS) * 1000;
  const started = Date.now();
  let pause = FIRST_PAUSE_MS;
  for (let attempt = 1; ; attempt++) {
    let lastAnswer: string;
    try {
      await tokenSourceFor(connection, clientId, key, settings.scope).token();
      return { attempts: attempt, waitedMs: Date.now() - started };
    } catch (err) {
      if (!(err instanceof MaskinportenError)) throw err;
      lastAnswer = answerOf(err);
    }
    const left = started + timeoutMs - Date.now();
    if (left <= 0) {
      const seconds = Math.round((Date.now() - started) / 1000);
      throw new KeyNotVerifiedError(
        key.kid,
        lastAnswer,
        `the new key "${key.kid}" of client ${clientId} got no Maskinporten token for scope "${settings.scope}" in ${seconds} s ` +
          `(${attempt} attempt${attempt === 1 ? "" : "s"}; the last answer: ${lastAnswer})`,
      );
    }
    await sleep(Math.min(pause, left));
    pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
  }
}

function tokenSourceFor(
  connection: Pick<Connection, "transport" | "metadata">,
  clientId: string,
  key: GeneratedKey,
  scope: string,
): TokenSource {
  const credential: KeyCredential = {
    kind: "key",
    clientId,
    key: createPrivateKey(key.privateKeyPem),
    kid: key.kid,
    alg: key.alg,
    publicJwk: key.publicJwk,
  };
  return new TokenSource({
    transport: connection.transport,
    metadata: connection.metadata,
    credential: () => Promise.resolve(credential),
    scopes: [scope],
  });
}

/** The token endpoint's own words (OAuth error and description), else the error's message; never key material. */
function answerOf(err: MaskinportenError): string {
  if (err instanceof AuthError && err.oauthError !== undefined) {
    return `${err.oauthError}${err.description ? `: ${err.description}` : ""}`;
  }
  return err.message;
}
