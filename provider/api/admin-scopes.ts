/**
 * Which admin scopes a token asks for. Maskinporten refuses a token request that names a scope the
 * self-service client lacks (`invalid_scope`), and organisations' clients differ: a consumer's often has only
 * `idporten:dcr.read idporten:dcr.write`, NAV's has `scopes.write` without `scopes.read`. So each operation asks
 * only for what it needs: one scope out of its alternatives (any one of them lets the operation through), the
 * first the credential may have, plus `idporten:dcr.supplier` on client operations when the credential is
 * configured with it (suppliers need it to see and change the clients of other organisations).
 */
import { MissingAdminScopeError } from "./errors";
import { ADMIN_SCOPES } from "./wire";

const { dcrRead, dcrWrite, dcrModify, dcrSupplier, scopesRead, scopesWrite } = ADMIN_SCOPES;

/** Alternatives, any one of which lets the operation through; asked for in this order. */
export type ScopeNeed = readonly [string, ...string[]];

export const NEEDS = {
  readClients: [dcrRead],
  writeClients: [dcrWrite],
  writeKeys: [dcrWrite, dcrModify],
  readScopes: [scopesRead, scopesWrite],
  writeScopes: [scopesWrite],
  // dcr.read first: the Client checks that read the catalogue hold a token for it already.
  readCatalogue: [dcrRead, dcrWrite, scopesRead, scopesWrite],
} as const satisfies Record<string, ScopeNeed>;

export class AdminScopePolicy {
  private readonly refused = new Set<string>();

  /**
   * `has`: the admin scopes the credential's client has, when the user says so (`maskinporten:adminScopes`);
   * undefined means unknown, and every alternative is tried until Maskinporten issues one. `setting` names that
   * setting in messages.
   */
  constructor(
    private readonly has: readonly string[] | undefined,
    private readonly setting = "maskinporten:adminScopes",
  ) {}

  /** The scopes of the token to ask for, or a `MissingAdminScopeError` when no alternative is left. */
  scopesFor(need: ScopeNeed, operation: string, cause?: unknown): string[] {
    const scope = need.find((s) => !this.refused.has(s) && (this.has === undefined || this.has.includes(s)));
    if (scope === undefined) throw new MissingAdminScopeError(operation, need, this.why(), cause);
    const supplier = scope.startsWith("idporten:dcr.") && this.has?.includes(dcrSupplier) ? [dcrSupplier] : [];
    return [scope, ...supplier];
  }

  /** Maskinporten refused to issue `scope` to this credential: later operations take the next alternative. */
  refuse(scope: string): void {
    this.refused.add(scope);
  }

  private why(): string {
    if (this.has === undefined) return "and Maskinporten refused to issue it to the admin client (invalid_scope)";
    return `which ${this.setting} does not list (or Maskinporten refused to issue it); if the client has it, add it to ${this.setting}`;
  }
}
