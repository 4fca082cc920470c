import * as pulumi from "@pulumi/pulumi";
import { MaskinportenResource, withOutputs } from "./dynamic";

/**
 * The arguments of a {@link Scope}.
 *
 * Optional fields the program leaves out are not managed: the scope keeps whatever value it has (Maskinporten's
 * default, or what someone set in the portal) and no preview shows it as a change. Removing a field from the
 * program stops managing it; the scope keeps its last value.
 */
export interface ScopeArgs {
  /**
   * The scope prefix, owned by your organisation and assigned by Digdir (lowercase letters and digits, such as
   * `"nav"`). Changing it replaces the scope: a new one is created and the old one deactivated.
   */
  readonly prefix: pulumi.Input<string>;
  /**
   * The part after the colon: letters, digits, `.`, `_`, `-` and `/`, starting and ending with a letter or
   * digit, such as `"instances.read"`. Changing it replaces the scope.
   */
  readonly subscope: pulumi.Input<string>;
  /** What the API gives access to, in a sentence; shown to consumers. Required. A change updates the scope. */
  readonly description: pulumi.Input<string>;
  /** A longer description for the catalogue. Unmanaged when left out; a change updates the scope. */
  readonly longDescription?: pulumi.Input<string>;
  /**
   * Who sees the scope in the catalogue: `PUBLIC` (everyone), `PRIVATE` (only organisations granted it) or
   * `INTERNAL`. Maskinporten's default is `PUBLIC`. Unmanaged when left out; a change updates the scope.
   */
  readonly visibility?: pulumi.Input<"PUBLIC" | "PRIVATE" | "INTERNAL">;
  /**
   * The kinds of client that may use the scope, as a set (order and duplicates do not matter): `maskinporten`,
   * `api_klient`, `krr`, `eformidling`, `idporten`, `ansattporten`. Maskinporten's default is `["maskinporten"]`.
   * Unmanaged when left out; a change updates the scope.
   */
  readonly allowedIntegrationTypes?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Whether every organisation may use the scope without a {@link ScopeGrant}. Maskinporten's default is
   * `false`. Unmanaged when left out; a change updates the scope.
   */
  readonly accessibleForAll?: pulumi.Input<boolean>;
  /**
   * `SELF_CONTAINED` (a signed JWT the API validates itself; Maskinporten's default) or `OPAQUE` (a reference the
   * API introspects). Unmanaged when left out; a change updates the scope.
   */
  readonly tokenType?: pulumi.Input<"SELF_CONTAINED" | "OPAQUE">;
  /** Longest lifetime of access tokens with this scope, in seconds (a positive whole number). Unmanaged when left out; a change updates the scope. */
  readonly atMaxAge?: pulumi.Input<number>;
  /** Longest lifetime of an authorization with this scope, in seconds (a positive whole number). Unmanaged when left out; a change updates the scope. */
  readonly authorizationMaxLifetime?: pulumi.Input<number>;
  /** The delegation source (e.g. Altinn's URL) when the scope may be delegated. Unmanaged when left out; a change updates the scope. */
  readonly delegationSource?: pulumi.Input<string>;
  /** Whether end users must consent (ID-porten). Maskinporten's default is `false`. Unmanaged when left out; a change updates the scope. */
  readonly requiresUserConsent?: pulumi.Input<boolean>;
  /** Whether an end user must be logged in (ID-porten). Maskinporten's default is `false`. Unmanaged when left out; a change updates the scope. */
  readonly requiresUserAuthentication?: pulumi.Input<boolean>;
  /** Whether tokens carry pseudonyms instead of national identity numbers. Maskinporten's default is `false`. Unmanaged when left out; a change updates the scope. */
  readonly requiresPseudonymousTokens?: pulumi.Input<boolean>;
  /** The audience every access token with this scope must carry. Unmanaged when left out; a change updates the scope. */
  readonly enforcedAudForAccessToken?: pulumi.Input<string>;
  /**
   * Take over a scope that already exists and is active (made in the portal or by another program): without it,
   * creating such a scope fails, so two stacks never silently manage one scope. A deactivated scope with the
   * same name is always reactivated. Default `false`; only used when the scope is created, so changing it later
   * does nothing.
   */
  readonly adopt?: pulumi.Input<boolean>;
  /**
   * The credential profile to act with: the name of an entry in the stack config `maskinporten:profiles` (the
   * organisation that owns the prefix). Default: the stack's default credential (`maskinporten:clientId`, ...).
   * Never a credential itself. A change updates the stack only; the scope is not touched.
   */
  readonly profile?: pulumi.Input<string>;
}

/** Every output, seeded so each becomes an `Output` even when the program leaves the input out. */
const SCOPE_OUTPUTS = [
  "name",
  "ownerOrgno",
  "active",
  "created",
  "lastUpdated",
  "prefix",
  "subscope",
  "description",
  "longDescription",
  "visibility",
  "allowedIntegrationTypes",
  "accessibleForAll",
  "tokenType",
  "atMaxAge",
  "authorizationMaxLifetime",
  "delegationSource",
  "requiresUserConsent",
  "requiresUserAuthentication",
  "requiresPseudonymousTokens",
  "enforcedAudForAccessToken",
  "adopt",
  "profile",
] as const;

/**
 * A scope your organisation offers to API consumers, `prefix:subscope`. Its id is the scope name.
 *
 * Destroying it deactivates it (Maskinporten never deletes scopes; grants given on it are kept). Creating it
 * again reactivates it under the same name.
 *
 * ```ts
 * const read = new Scope("instances-read", {
 *   prefix: "eksempel",
 *   subscope: "instances.read",
 *   description: "Read instances of Eksempel's API",
 *   visibility: "PRIVATE",
 * });
 * ```
 */
export class Scope extends MaskinportenResource {
  /** The scope name, `prefix:subscope`, as consumers request it. */
  declare public readonly name: pulumi.Output<string>;
  /** The organisation that owns the scope. */
  declare public readonly ownerOrgno: pulumi.Output<string>;
  /** Whether the scope is active; always true for a scope in the stack after a refresh. */
  declare public readonly active: pulumi.Output<boolean>;
  /** When Maskinporten created the scope. */
  declare public readonly created: pulumi.Output<string | undefined>;
  /** When the scope was last changed. */
  declare public readonly lastUpdated: pulumi.Output<string | undefined>;
  declare public readonly prefix: pulumi.Output<string>;
  declare public readonly subscope: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string>;
  /** Echoed optional inputs: the scope's value while the program sets the field; undefined when it does not. */
  declare public readonly longDescription: pulumi.Output<string | undefined>;
  declare public readonly visibility: pulumi.Output<"PUBLIC" | "PRIVATE" | "INTERNAL" | undefined>;
  /** Sorted and without duplicates. */
  declare public readonly allowedIntegrationTypes: pulumi.Output<string[] | undefined>;
  declare public readonly accessibleForAll: pulumi.Output<boolean | undefined>;
  declare public readonly tokenType: pulumi.Output<"SELF_CONTAINED" | "OPAQUE" | undefined>;
  declare public readonly atMaxAge: pulumi.Output<number | undefined>;
  declare public readonly authorizationMaxLifetime: pulumi.Output<number | undefined>;
  declare public readonly delegationSource: pulumi.Output<string | undefined>;
  declare public readonly requiresUserConsent: pulumi.Output<boolean | undefined>;
  declare public readonly requiresUserAuthentication: pulumi.Output<boolean | undefined>;
  declare public readonly requiresPseudonymousTokens: pulumi.Output<boolean | undefined>;
  declare public readonly enforcedAudForAccessToken: pulumi.Output<string | undefined>;
  declare public readonly adopt: pulumi.Output<boolean | undefined>;
  declare public readonly profile: pulumi.Output<string | undefined>;

  constructor(name: string, args: ScopeArgs, opts?: pulumi.CustomResourceOptions) {
    super("Scope", name, withOutputs(args, SCOPE_OUTPUTS), opts);
  }
}
