import * as pulumi from "@pulumi/pulumi";
import { ROTATING_KEY_SECRET_OUTPUTS } from "../../provider/key-lifecycle/key-forms";
import { withSecretOutputs, type GenerateKeyArgs, type KidConventionArgs, type VerifyKeyArgs } from "./client-key";
import { MaskinportenResource, withOutputs } from "./dynamic";
import { secretOutput, withDerivedForms } from "./key-forms";
import { keyMarkerOf } from "./marker";

/** The arguments of a {@link RotatingClientKey}. */
export interface RotatingClientKeyArgs {
  /** The client_id of the client, usually `client.clientId`. A change replaces the resource (new keys). */
  readonly clientId: pulumi.Input<string>;
  /** Make each key pair this way. Default RS256, 3072 bits. A change rotates the key at the next `up`. */
  readonly generate?: pulumi.Input<GenerateKeyArgs>;
  /** Name the kids as altinn-jwks does, `<name>-<ENV>.<yyyy-mm-dd>`. A change rotates the key at the next `up`. */
  readonly kidConvention?: pulumi.Input<KidConventionArgs>;
  /**
   * Rotate the key this many days after it was made (1 to 364), on Maskinporten's clock: the first `up` from
   * then on registers a new key and keeps the old one as `previous` for `gracePeriodDays`.
   */
  readonly rotateAfterDays: pulumi.Input<number>;
  /**
   * How long the previous key stays registered after a rotation, in days: consumers that read the key from the
   * stack switch to `current` within it. Default 7; shorter than `rotateAfterDays`; 0 removes it at once.
   */
  readonly gracePeriodDays?: pulumi.Input<number>;
  /** Get a token with each new key before it counts as made; see {@link ClientKeyArgs.verify}. */
  readonly verify?: pulumi.Input<VerifyKeyArgs>;
  /** The credential profile to act with (an entry of `maskinporten:profiles`); the default credential when left out. */
  readonly profile?: pulumi.Input<string>;
}

/**
 * A key of a {@link RotatingClientKey}: its kid and life, and the private key in the forms people store it in
 * (the state holds the JWKs; the program derives the other forms).
 */
export interface RotatedKey {
  kid: string;
  thumbprint: string;
  /** ISO 8601, Maskinporten's clock. */
  createdAt: string;
  expiresAt: string;
  /** The private JWK as JSON text (what `getAccessToken` and `altinn-jwks export key` take). */
  privateKeyJwk: string;
  /** Base64 of `privateKeyJwk`: the `altinn-jwks export key --base64` form, for Azure Key Vault secrets. */
  privateKeyBase64: string;
  /** PKCS#8 PEM (sign with `kid`). */
  privateKeyPem: string;
  publicKeyJwk: Record<string, unknown>;
  publicKeyPem: string;
}

/** The previous key, during its grace period. */
export interface RetiringKey extends RotatedKey {
  /** When it is removed (at the first `up` from then on). */
  retiresAt: string;
}

const ROTATING_CLIENT_KEY_OUTPUTS = [
  "clientId",
  "generate",
  "kidConvention",
  "rotateAfterDays",
  "gracePeriodDays",
  "verify",
  "profile",
  "kid",
  "expiresAt",
  "previousKid",
  "previousRetiresAt",
  ...ROTATING_KEY_SECRET_OUTPUTS,
] as const;

/**
 * A key pair of a Maskinporten client that the provider generates and rotates: every `rotateAfterDays` the
 * first `pulumi up` registers a new key (`current`) before anything is removed, and keeps the one it replaces
 * registered as `previous` for `gracePeriodDays`, so whoever reads the key from the stack (a vault sync, a
 * deployment) can switch before the old key goes. Time is Maskinporten's, and the grace period counts from the
 * rotation that really happened, however long the stack was left alone.
 *
 * ```ts
 * const key = new RotatingClientKey("myapp", {
 *   clientId: client.clientId,
 *   rotateAfterDays: 90,
 *   gracePeriodDays: 14,
 *   kidConvention: { name: "myapp", environment: "prod" },
 *   verify: { scope: "altinn:instances.read" },
 * });
 * export const privateKeyBase64 = key.current.privateKeyBase64; // secret
 * ```
 *
 * A client needs room for three keys at a rotation inside a grace period (at most 5 keys per client).
 */
export class RotatingClientKey extends MaskinportenResource {
  declare public readonly clientId: pulumi.Output<string>;
  declare public readonly generate: pulumi.Output<Required<GenerateKeyArgs>>;
  declare public readonly kidConvention: pulumi.Output<KidConventionArgs | undefined>;
  declare public readonly rotateAfterDays: pulumi.Output<number>;
  declare public readonly gracePeriodDays: pulumi.Output<number>;
  declare public readonly verify: pulumi.Output<VerifyKeyArgs | undefined>;
  declare public readonly profile: pulumi.Output<string | undefined>;
  /** The current key's kid (not secret). */
  declare public readonly kid: pulumi.Output<string>;
  /** When the current key expires (ISO 8601). */
  declare public readonly expiresAt: pulumi.Output<string>;
  /** The previous key's kid during its grace period (not secret). */
  declare public readonly previousKid: pulumi.Output<string | undefined>;
  declare public readonly previousRetiresAt: pulumi.Output<string | undefined>;
  /** Secret. The key to sign with. */
  declare public readonly current: pulumi.Output<RotatedKey>;
  /** Secret. The key it replaced, registered until `retiresAt`; undefined outside a grace period. */
  declare public readonly previous: pulumi.Output<RetiringKey | undefined>;

  constructor(name: string, args: RotatingClientKeyArgs, opts?: pulumi.CustomResourceOptions) {
    const props = { ...withOutputs(args, ROTATING_CLIENT_KEY_OUTPUTS), __ownerMarker: keyMarkerOf("RotatingClientKey", name, opts) };
    super("RotatingClientKey", name, props, withSecretOutputs(opts, ROTATING_KEY_SECRET_OUTPUTS));
    // The state holds each key's JWKs; the other forms are derived here (secret, as the key is).
    this.current = secretOutput(this.current.apply<RotatedKey>((key) => withDerivedForms(key)));
    this.previous = secretOutput(
      this.previous.apply<RetiringKey | undefined>((key) => (key === undefined ? undefined : withDerivedForms(key))),
    );
  }
}
