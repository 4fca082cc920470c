import * as pulumi from "@pulumi/pulumi";
import { PRIVATE_KEY_OUTPUTS } from "../../provider/key-lifecycle/key-forms";
import { MaskinportenResource, withOutputs } from "./dynamic";
import { derivedKeyOutputs } from "./key-forms";
import { keyMarkerOf } from "./marker";

/** How the provider generates a key pair. */
export interface GenerateKeyArgs {
  /** The signing algorithm registered with the key. Default `"RS256"`. */
  readonly algorithm?: "RS256" | "RS384" | "RS512";
  /** RSA modulus in bits. Default 3072 (2048 is Maskinporten's minimum). */
  readonly modulusLength?: 2048 | 3072 | 4096;
}

/** altinn-jwks' kid naming: `<name>-<ENV>.<yyyy-mm-dd>`, dated the day the key is made (Maskinporten's date, UTC). */
export interface KidConventionArgs {
  /** The client's short name, e.g. `"testklient"`. */
  readonly name: string;
  /** The environment, e.g. `"test"` or `"PROD"`; written upper case. */
  readonly environment: string;
}

/** Mint a token with a new key before the key it replaces is removed. */
export interface VerifyKeyArgs {
  /** A scope on the client that it may use, e.g. `"difitest:open"`. */
  readonly scope: string;
  /**
   * How long to keep trying, in seconds: Maskinporten takes up to 2 minutes to see a new key. Default 180,
   * at most 900.
   */
  readonly timeoutSeconds?: number;
}

/** The arguments of a {@link ClientKey}: give `publicKey` or `generate`, not both. */
export interface ClientKeyArgs {
  /**
   * The client_id of the client to register the key on, usually `client.clientId`. A change replaces the key
   * (registered on the new client before it is removed from the old one).
   */
  readonly clientId: pulumi.Input<string>;
  /**
   * The public key, in any form you have it: a JWK (object, JSON text, or base64 of the JSON, alone or as the
   * only key of a JWKS), a PEM public key, or an X.509 certificate PEM (its chain is registered as `x5c`). RSA,
   * at least 2048 bits. A private key is refused without being echoed: keep it out of the program. Another form
   * of the same key changes nothing; another key replaces the resource, registering the new key before the old
   * one is removed.
   */
  readonly publicKey?: pulumi.Input<string | Record<string, unknown>>;
  /**
   * Let the provider make the key pair (instead of `publicKey`): `{}` for RS256 and 3072 bits. The pair is made
   * when the key is created (never during a preview), the public half registered, and the private half is a
   * secret output: `privateKeyJwk`, `privateKeyBase64`, `privateKeyPem`. New settings replace the key.
   */
  readonly generate?: pulumi.Input<GenerateKeyArgs>;
  /**
   * The key id (letters, digits, `.`, `_`, `-`). Default: the JWK's own `kid`, else `kidConvention`'s, else the
   * key's RFC 7638 thumbprint. A change replaces the key. A new key needs a new kid, so both are registered
   * while clients move over; a rotating key cannot have a fixed kid.
   */
  readonly kid?: pulumi.Input<string>;
  /** With `generate`: name the kid as altinn-jwks does, `<name>-<ENV>.<yyyy-mm-dd>`. A change replaces the key. */
  readonly kidConvention?: pulumi.Input<KidConventionArgs>;
  /**
   * When the key expires: a Date, or an ISO 8601 time, at most one year ahead. Default: Maskinporten's (one year
   * after registration). Unmanaged when left out; a change updates the key's expiry in place. Not with rotation.
   */
  readonly expiresAt?: pulumi.Input<string | Date>;
  /**
   * With `generate`: rotate the key this many days after it was made (1 to 364). When due, `pulumi preview`
   * shows a replacement and `pulumi up` registers a new key pair (a new kid) before the old key is removed.
   * Due is judged by Maskinporten's clock. The client needs a free place for the successor (at most 5 keys).
   */
  readonly rotateAfterDays?: pulumi.Input<number>;
  /** With `generate`: rotate the key this many days before it expires (1 to 364), like `rotateAfterDays`. */
  readonly rotateBeforeExpiryDays?: pulumi.Input<number>;
  /**
   * With `generate`: get a token with the new key, for this scope, before it counts as made; retried while
   * Maskinporten has not seen the key yet (up to `timeoutSeconds`). If none comes, the new key is removed
   * again, the key it was to replace stays, and `up` fails saying so.
   */
  readonly verify?: pulumi.Input<VerifyKeyArgs>;
  /**
   * The credential profile to act with: the name of an entry in the stack config `maskinporten:profiles` (the
   * organisation that manages the client). Default: the stack's default credential. Never a credential itself.
   * A change updates the stack only; the key is not changed.
   */
  readonly profile?: pulumi.Input<string>;
}

const CLIENT_KEY_OUTPUTS = [
  "clientId",
  "publicKey",
  "generate",
  "kid",
  "kidConvention",
  "thumbprint",
  "expiresAt",
  "createdAt",
  "rotateAfterDays",
  "rotateBeforeExpiryDays",
  "verify",
  "profile",
  "publicKeyJwk",
  ...PRIVATE_KEY_OUTPUTS,
] as const;

/**
 * A public key registered on a Maskinporten client: what the client signs its JWT grants with (`kid` in their
 * header). Its id is `<clientId>/<kid>`. A client holds at most five keys.
 *
 * ```ts
 * // A key pair made by the provider, rotated a month before it expires; the private key is a secret output.
 * const key = new ClientKey("myapp", {
 *   clientId: client.clientId,
 *   generate: { algorithm: "RS256", modulusLength: 3072 },
 *   kidConvention: { name: "myapp", environment: "test" },
 *   rotateBeforeExpiryDays: 30,
 *   verify: { scope: "altinn:instances.read" },
 * });
 * export const privateKeyBase64 = key.privateKeyBase64; // `pulumi stack output --show-secrets`
 *
 * // A public key you have.
 * new ClientKey("myapp-2026", { clientId: client.clientId, publicKey: fs.readFileSync("myapp.pub.pem", "utf8"), kid: "myapp-2026" });
 * ```
 *
 * `preview` and `up` warn when the key expires within 30 days (stack config `maskinporten:keyExpiryWarningDays`).
 */
export class ClientKey extends MaskinportenResource {
  /** The client the key is registered on. */
  declare public readonly clientId: pulumi.Output<string>;
  /** The key as the program gave it; undefined for a generated key (see `publicKeyJwk`). */
  declare public readonly publicKey: pulumi.Output<string | Record<string, unknown> | undefined>;
  /** The generation settings of a generated key, defaults filled in. */
  declare public readonly generate: pulumi.Output<Required<GenerateKeyArgs> | undefined>;
  /** The key id: put it in the `kid` header of the client's JWT grants. */
  declare public readonly kid: pulumi.Output<string>;
  declare public readonly kidConvention: pulumi.Output<KidConventionArgs | undefined>;
  /** RFC 7638 SHA-256 thumbprint of the key, base64url. */
  declare public readonly thumbprint: pulumi.Output<string>;
  /** When the key expires (ISO 8601), as Maskinporten holds it: the given time, or the one it chose. */
  declare public readonly expiresAt: pulumi.Output<string>;
  /** When this resource registered the key (ISO 8601, Maskinporten's clock); `rotateAfterDays` counts from it. */
  declare public readonly createdAt: pulumi.Output<string | undefined>;
  declare public readonly rotateAfterDays: pulumi.Output<number | undefined>;
  declare public readonly rotateBeforeExpiryDays: pulumi.Output<number | undefined>;
  declare public readonly verify: pulumi.Output<VerifyKeyArgs | undefined>;
  declare public readonly profile: pulumi.Output<string | undefined>;
  /** A generated key's public JWK, as registered. */
  declare public readonly publicKeyJwk: pulumi.Output<Record<string, unknown> | undefined>;
  /** A generated key's public key, SPKI PEM (derived from `publicKeyJwk` in the program, not stored). */
  declare public readonly publicKeyPem: pulumi.Output<string | undefined>;
  /** Secret. A generated key's private JWK as JSON text (what `getAccessToken` and `altinn-jwks export key` take). */
  declare public readonly privateKeyJwk: pulumi.Output<string | undefined>;
  /**
   * Secret. Base64 of `privateKeyJwk`: the `altinn-jwks export key --base64` form, for Azure Key Vault secrets.
   * Derived from `privateKeyJwk` in the program, not stored.
   */
  declare public readonly privateKeyBase64: pulumi.Output<string | undefined>;
  /** Secret. A generated key's private key, PKCS#8 PEM (give `kid` along with it when signing). Derived, not stored. */
  declare public readonly privateKeyPem: pulumi.Output<string | undefined>;

  constructor(name: string, args: ClientKeyArgs, opts?: pulumi.CustomResourceOptions) {
    // A generated key's kid carries the marker, so a run killed before the state holds the key can be cleaned up.
    const marker = args.generate === undefined ? {} : { __ownerMarker: keyMarkerOf("ClientKey", name, opts) };
    const props = { ...withOutputs(asWire(args), CLIENT_KEY_OUTPUTS), ...marker };
    super("ClientKey", name, props, withSecretOutputs(opts, PRIVATE_KEY_OUTPUTS));
    Object.assign(this, derivedKeyOutputs(this.privateKeyJwk, this.publicKeyJwk));
  }
}

/**
 * The options with `outputs` added to `additionalSecretOutputs`: the engine then stores them encrypted.
 * (A provider cannot return secrets itself: `pulumi.secret()` inside outputs fails.)
 */
export function withSecretOutputs<T extends pulumi.CustomResourceOptions>(opts: T | undefined, outputs: readonly string[]): T {
  const already = opts?.additionalSecretOutputs ?? [];
  return { ...opts, additionalSecretOutputs: [...new Set([...already, ...outputs])] } as T;
}

/** A Date `expiresAt` travels as ISO 8601 text. */
function asWire(args: ClientKeyArgs): object {
  return args.expiresAt === undefined ? args : { ...args, expiresAt: isoText(args.expiresAt) };
}

/** Converted before Pulumi sees the value: `pulumi.output` turns a Date into an empty object. */
function isoText(at: pulumi.Input<string | Date>): pulumi.Input<string> {
  const text = (value: string | Date) => (value instanceof Date ? value.toISOString() : value);
  if (typeof at === "string" || at instanceof Date) return text(at);
  if (pulumi.Output.isInstance(at)) return at.apply(text);
  return Promise.resolve(at).then(text);
}
