/**
 * Key rotation without an outage: a Maskinporten client whose key pair the provider generates and rotates.
 *
 * - Every `rotateAfterDays` (on Maskinporten's clock), the first `pulumi up` makes a new key pair, registers it
 *   and gets a token with it (`verify`) before anything is removed. The new key is `current`.
 * - The key it replaced stays registered as `previous` for `gracePeriodDays`, so the application (or the job that
 *   copies `privateKeyBase64` into its vault) can switch before the old key disappears.
 * - The private key never leaves the stack unencrypted: `pulumi stack output privateKeyBase64 --show-secrets`.
 *
 * Run `pulumi up` on a schedule (daily CI is plenty): a run that finds nothing due changes nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import * as maskinporten from "pulumi-maskinporten";

const config = new pulumi.Config("key-rotation");
const clientName = config.get("clientName") ?? "key-rotation-example";
const scope = config.get("scope") ?? "difitest:open";
// The credential profile of the organisation that owns the client (an entry of maskinporten:profiles).
const profile = config.get("profile") ?? "consumer";

const client = new maskinporten.Client("app", {
  clientName,
  description: "Signs its Maskinporten grants with a key that rotates itself",
  scopes: [scope],
  profile,
});

const key = new maskinporten.RotatingClientKey("app-key", {
  clientId: client.clientId,
  generate: { algorithm: "RS256", modulusLength: 3072 },
  // kids like key-rotation-example-TEST.2026-03-01, as altinn-jwks names them.
  kidConvention: { name: clientName, environment: config.get("environment") ?? "test" },
  rotateAfterDays: config.getNumber("rotateAfterDays") ?? 90,
  gracePeriodDays: config.getNumber("gracePeriodDays") ?? 14,
  // Before a new key counts, it must get a token for this scope (Maskinporten takes up to 2 minutes to see it).
  verify: { scope },
  profile,
});

/** What the application needs besides its private key. */
export const clientId = client.clientId;
export const kid = key.kid;
export const keyExpiresAt = key.expiresAt;
/** During a grace period: the key being retired, and when it goes. */
export const previousKid = key.previousKid;
export const previousKeyRetiresAt = key.previousRetiresAt;
/** Secret: the current private key, base64 of its JWK (what Azure Key Vault holds, as `altinn-jwks export key --base64`). */
export const privateKeyBase64 = key.current.privateKeyBase64;
/** Secret: the same key as JWK JSON. */
export const privateKeyJwk = key.current.privateKeyJwk;
