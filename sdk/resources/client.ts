import * as pulumi from "@pulumi/pulumi";
import { ownerMarker } from "../../provider/resources/client/owner-marker";
import { markerOf } from "./marker";
import { MaskinportenResource, withOutputs } from "./dynamic";

/**
 * The arguments of a {@link Client}.
 *
 * Optional fields the program leaves out (`description`, the lifetimes) are not managed: the client keeps
 * whatever value it has (Maskinporten's default, or what someone set in the portal) and no preview shows it
 * as a change. Removing such a field from the program stops managing it; the client keeps its last value.
 */
export interface ClientArgs {
  /**
   * The client's name, as Digdir's portal shows it (e.g. `"myapp-prod"`). Required. A change updates the
   * client.
   */
  readonly clientName: pulumi.Input<string>;
  /**
   * What the client is for, in a sentence. Unmanaged when left out (a new client then gets its name as
   * description). A change updates the client.
   */
  readonly description?: pulumi.Input<string>;
  /**
   * The scopes the client may request, as a set: order and duplicates never matter. At least one. A scope of
   * another organisation needs its owner's grant (a {@link ScopeGrant} in the owner's program) unless it is
   * accessible for all. A change updates the client.
   */
  readonly scopes: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Lifetime of the access tokens the client gets, in seconds (a positive whole number). Maskinporten's default
   * is 120. Unmanaged when left out; a change updates the client.
   */
  readonly accessTokenLifetime?: pulumi.Input<number>;
  /**
   * Lifetime of an authorization, in seconds (a positive whole number). Maskinporten's default is 7200.
   * Unmanaged when left out; a change updates the client.
   */
  readonly authorizationLifetime?: pulumi.Input<number>;
  /**
   * The organisation number the client is for, when your organisation manages it as a supplier (the
   * credential needs `idporten:dcr.supplier`). Default: your own organisation. A client cannot move between
   * organisations: a change replaces it (a new client is created, then the old one deactivated). Left out
   * after being set, the client stays where it is.
   */
  readonly clientOrgno?: pulumi.Input<string>;
  /**
   * Whether the client may get tokens. Default `true`. A change updates the client; a client deactivated in the
   * portal is reactivated by the next `up` (after a `pulumi refresh` has seen it).
   */
  readonly active?: pulumi.Input<boolean>;
  /**
   * The client_id of an existing Maskinporten client (made in Digdir's portal or by another program) to take
   * over instead of creating a new one: it is read, checked (a Maskinporten client of the right organisation)
   * and changed to match these arguments. Destroying the resource then deactivates that client. Only used when
   * the resource is created, so changing it later does nothing. (`pulumi import` does not work for dynamic
   * resources; this replaces it.)
   */
  readonly adoptClientId?: pulumi.Input<string>;
  /**
   * The credential profile to act with: the name of an entry in the stack config `maskinporten:profiles` (the
   * organisation that manages the client). Default: the stack's default credential (`maskinporten:clientId`,
   * ...). Never a credential itself. A change updates the stack only; the client is not changed.
   */
  readonly profile?: pulumi.Input<string>;
}

/** Every output, seeded so each becomes an `Output` even when the program leaves the input out. */
const CLIENT_OUTPUTS = [
  "clientId",
  "clientOrgno",
  "integrationType",
  "created",
  "lastUpdated",
  "clientName",
  "description",
  "scopes",
  "accessTokenLifetime",
  "authorizationLifetime",
  "active",
  "adoptClientId",
  "profile",
] as const;

/**
 * A Maskinporten client: what an integration authenticates as to get access tokens for its scopes. Its id is
 * the client_id. Register its keys with {@link ClientKey}.
 *
 * Destroying it deactivates it (Maskinporten keeps the client).
 *
 * ```ts
 * const client = new Client("myapp", {
 *   clientName: "myapp-prod",
 *   description: "Fetches instances from Eksempel's API",
 *   scopes: ["eksempel:instances.read"],
 * });
 * ```
 */
export class Client extends MaskinportenResource {
  /** The client_id: the `iss` of the client's JWT grants. */
  declare public readonly clientId: pulumi.Output<string>;
  /** The organisation the client belongs to. */
  declare public readonly clientOrgno: pulumi.Output<string>;
  /** Always `"maskinporten"` for a client this resource manages. */
  declare public readonly integrationType: pulumi.Output<string>;
  /** When Maskinporten created the client. */
  declare public readonly created: pulumi.Output<string | undefined>;
  /** When the client was last changed. */
  declare public readonly lastUpdated: pulumi.Output<string | undefined>;
  declare public readonly clientName: pulumi.Output<string>;
  /** Sorted and without duplicates. */
  declare public readonly scopes: pulumi.Output<string[]>;
  declare public readonly active: pulumi.Output<boolean>;
  /** Echoed optional inputs: the client's value while the program sets the field; undefined when it does not. */
  declare public readonly description: pulumi.Output<string | undefined>;
  declare public readonly accessTokenLifetime: pulumi.Output<number | undefined>;
  declare public readonly authorizationLifetime: pulumi.Output<number | undefined>;
  declare public readonly adoptClientId: pulumi.Output<string | undefined>;
  declare public readonly profile: pulumi.Output<string | undefined>;

  constructor(name: string, args: ClientArgs, opts?: pulumi.CustomResourceOptions) {
    super("Client", name, { ...withOutputs(args, CLIENT_OUTPUTS), __ownerMarker: clientMarker(name, args, opts) }, opts);
  }
}

/** The ownership marker (see `provider/resources/client/owner-marker.ts`); `clientOrgno` is part of it. */
function clientMarker(name: string, args: ClientArgs, opts: pulumi.CustomResourceOptions | undefined): pulumi.Output<string> {
  return pulumi.output(args.clientOrgno).apply((clientOrgno) => markerOf(name, opts, (place) => ownerMarker({ ...place, clientOrgno })));
}
