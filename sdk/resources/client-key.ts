import * as pulumi from "@pulumi/pulumi";
import { forwarder } from "../../provider/forwarder";
import { TYPE_MODULE, withOutputs } from "./dynamic";

/** The arguments of a {@link ClientKey}. */
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
  readonly publicKey: pulumi.Input<string | Record<string, unknown>>;
  /**
   * The key id (letters, digits, `.`, `_`, `-`). Default: the JWK's own `kid`, else the key's RFC 7638
   * thumbprint. A change replaces the key. A new key needs a new kid, so both are registered while clients
   * move over.
   */
  readonly kid?: pulumi.Input<string>;
  /**
   * When the key expires: a Date, or an ISO 8601 time, at most one year ahead. Default: Maskinporten's (one year
   * after registration). Unmanaged when left out; a change updates the key's expiry in place.
   */
  readonly expiresAt?: pulumi.Input<string | Date>;
  /**
   * The credential profile to act with: the name of an entry in the stack config `maskinporten:profiles` (the
   * organisation that manages the client). Default: the stack's default credential. Never a credential itself.
   * A change updates the stack only; the key is not changed.
   */
  readonly profile?: pulumi.Input<string>;
}

const CLIENT_KEY_OUTPUTS = ["clientId", "publicKey", "kid", "thumbprint", "expiresAt", "profile"] as const;

/**
 * A public key registered on a Maskinporten client: what the client signs its JWT grants with (`kid` in their
 * header). Its id is `<clientId>/<kid>`. A client holds at most five keys.
 *
 * ```ts
 * const key = new ClientKey("myapp-2026", {
 *   clientId: client.clientId,
 *   publicKey: fs.readFileSync("myapp-2026.pub.pem", "utf8"),
 *   kid: "myapp-2026",
 * });
 * ```
 */
export class ClientKey extends pulumi.dynamic.Resource {
  /** The client the key is registered on. */
  public declare readonly clientId: pulumi.Output<string>;
  /** The key as the program gave it. */
  public declare readonly publicKey: pulumi.Output<string | Record<string, unknown>>;
  /** The key id: put it in the `kid` header of the client's JWT grants. */
  public declare readonly kid: pulumi.Output<string>;
  /** RFC 7638 SHA-256 thumbprint of the key, base64url. */
  public declare readonly thumbprint: pulumi.Output<string>;
  /** When the key expires (ISO 8601), as Maskinporten holds it: the given time, or the one it chose. */
  public declare readonly expiresAt: pulumi.Output<string>;
  public declare readonly profile: pulumi.Output<string | undefined>;

  constructor(name: string, args: ClientKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(forwarder("ClientKey"), name, withOutputs(asWire(args), CLIENT_KEY_OUTPUTS), opts, TYPE_MODULE, "ClientKey");
  }
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
