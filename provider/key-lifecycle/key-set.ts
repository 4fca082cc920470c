/** A key's inputs → the client's key set as the self-service API takes it (the whole set at once). Pure. */
import { ConfigError, MaskinportenError } from "../api/errors";
import type { Jwk } from "../api/wire";
import type { PublicJwk } from "../keys";
import { rsaThumbprint } from "./thumbprint";

/**
 * The client's keys with `key` among them. A key already registered under its kid with the same material is
 * kept (this is what makes a create whose response was lost converge, and what adopts a key registered
 * elsewhere), its expiry brought in line when the inputs set one; another key under that kid is an error.
 */
export function withKey(keys: readonly Jwk[], key: PublicJwk, clientId: string): Jwk[] {
  const index = keys.findIndex((k) => k.kid === key.kid);
  if (index < 0) return [...keys, { ...key }];
  const existing = keys[index]!;
  if (rsaThumbprint(existing) !== rsaThumbprint(key)) throw kidTaken(clientId, key.kid);
  if (key.exp === undefined || existing.exp === key.exp) return [...keys];
  return keys.map((k, i) => (i === index ? { ...k, exp: key.exp } : k));
}

/**
 * The client's keys without this resource's key. A key under the kid with other material is not this
 * resource's (it was replaced elsewhere) and stays.
 */
export function withoutKey(keys: readonly Jwk[], kid: string, thumbprint: string | undefined): Jwk[] {
  return keys.filter((k) => !isThisKey(k, kid, thumbprint));
}

/** The key under `kid` in the set just written; its absence means something else changed the set meanwhile. */
export function registeredUnder(keys: readonly Jwk[], clientId: string, kid: string): Jwk {
  const key = keys.find((k) => k.kid === kid);
  if (!key) {
    throw new MaskinportenError(
      "JWKS_NOT_AS_WRITTEN",
      `key ${kid} is not among the keys of client ${clientId} just after registering it; run again to converge`,
    );
  }
  return key;
}

/** The registered key is the resource's: its kid, and its material when the thumbprint is known. */
export function isThisKey(key: Jwk, kid: string, thumbprint: string | undefined): boolean {
  return key.kid === kid && (thumbprint === undefined || rsaThumbprint(key) === thumbprint);
}

function kidTaken(clientId: string, kid: string): ConfigError {
  return new ConfigError(
    "kid",
    `client ${clientId} already has a different key registered under kid "${kid}"; give this key another kid (or leave kid ` +
      "out to use the key's thumbprint), or remove the other key first (in the portal, or by deleting its ClientKey)",
    "KID_TAKEN",
  );
}
