import * as pulumi from "@pulumi/pulumi";
import { MaskinportenResource, withOutputs } from "./dynamic";

/** The arguments of a {@link ScopeGrant}. */
export interface ScopeGrantArgs {
  /**
   * The scope to grant, `prefix:subscope`, owned by the organisation of `profile`. Pass a {@link Scope}'s `name`
   * output so the scope exists first. Changing it replaces the grant: the new one is granted, the old revoked.
   */
  readonly scope: pulumi.Input<string>;
  /**
   * The consumer organisation's number: nine digits with a valid mod-11 check digit, checked before any
   * request. Changing it replaces the grant.
   */
  readonly consumerOrgno: pulumi.Input<string>;
  /**
   * The credential profile to act with: the name of an entry in the stack config `maskinporten:profiles` (the
   * organisation that owns the scope). Default: the stack's default credential. Never a credential itself. A
   * change updates the stack only; the grant is not touched.
   */
  readonly profile?: pulumi.Input<string>;
}

/** Every output, seeded so each becomes an `Output` even when the program leaves the input out. */
const SCOPE_GRANT_OUTPUTS = [
  "state",
  "ownerOrgno",
  "consumerOrganizationName",
  "created",
  "lastUpdated",
  "scope",
  "consumerOrgno",
  "profile",
] as const;

/**
 * Lets a consumer organisation use one of your scopes: its clients may then put the scope on themselves. Its id
 * is `<scope>/<consumer orgno>`.
 *
 * Destroying it revokes the grant. A grant revoked in the portal is seen by `pulumi refresh` as gone, and the
 * next `pulumi up` grants it again.
 *
 * ```ts
 * new ScopeGrant("konsument-read", { scope: read.name, consumerOrgno: "312000008" });
 * ```
 */
export class ScopeGrant extends MaskinportenResource {
  /** `APPROVED` while the grant is in force. */
  declare public readonly state: pulumi.Output<"APPROVED" | "DENIED" | "REQUESTED">;
  /** The organisation that owns the scope. */
  declare public readonly ownerOrgno: pulumi.Output<string | undefined>;
  /** The consumer's name as Maskinporten knows it. */
  declare public readonly consumerOrganizationName: pulumi.Output<string | undefined>;
  /** When the grant was first made. */
  declare public readonly created: pulumi.Output<string | undefined>;
  /** When the grant last changed. */
  declare public readonly lastUpdated: pulumi.Output<string | undefined>;
  declare public readonly scope: pulumi.Output<string>;
  declare public readonly consumerOrgno: pulumi.Output<string>;
  declare public readonly profile: pulumi.Output<string | undefined>;

  constructor(name: string, args: ScopeGrantArgs, opts?: pulumi.CustomResourceOptions) {
    super("ScopeGrant", name, withOutputs(args, SCOPE_GRANT_OUTPUTS), opts);
  }
}
