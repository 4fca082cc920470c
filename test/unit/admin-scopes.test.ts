import { AdminScopePolicy, NEEDS } from "../../provider/api/admin-scopes";
import { MissingAdminScopeError } from "../../provider/api/errors";

describe("the admin scopes a token asks for", () => {
  it("one scope per operation, the first alternative, when the credential's scopes are not known", () => {
    const policy = new AdminScopePolicy(undefined);
    expect(policy.scopesFor(NEEDS.readClients, "list clients")).toEqual(["idporten:dcr.read"]);
    expect(policy.scopesFor(NEEDS.writeKeys, "register keys")).toEqual(["idporten:dcr.write"]);
    expect(policy.scopesFor(NEEDS.readScopes, "list scopes")).toEqual(["idporten:scopes.read"]);
  });

  it("after a refusal, the next alternative; with none left, an error naming the scopes and how to get them", () => {
    const policy = new AdminScopePolicy(undefined);
    policy.refuse("idporten:scopes.read");
    expect(policy.scopesFor(NEEDS.readScopes, "list scopes")).toEqual(["idporten:scopes.write"]);
    policy.refuse("idporten:scopes.write");
    const err = (() => {
      try {
        return policy.scopesFor(NEEDS.readScopes, "list scopes");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MissingAdminScopeError);
    expect((err as Error).message).toMatch(
      /^list scopes needs the admin scope idporten:scopes.read or idporten:scopes.write, and Maskinporten refused/,
    );
    expect((err as Error).message).toContain("servicedesk@digdir.no");
  });

  it("configured scopes are what the credential has: chosen from, and dcr.supplier joins every client operation", () => {
    const policy = new AdminScopePolicy(
      ["idporten:dcr.read", "idporten:dcr.modify", "idporten:dcr.supplier", "idporten:scopes.write"],
      "maskinporten:profiles.supplier.adminScopes",
    );
    expect(policy.scopesFor(NEEDS.readClients, "list clients")).toEqual(["idporten:dcr.read", "idporten:dcr.supplier"]);
    expect(policy.scopesFor(NEEDS.writeKeys, "register keys")).toEqual(["idporten:dcr.modify", "idporten:dcr.supplier"]);
    expect(policy.scopesFor(NEEDS.readScopes, "list scopes")).toEqual(["idporten:scopes.write"]);
    expect(() => policy.scopesFor(NEEDS.writeClients, "create client")).toThrow(
      /create client needs the admin scope idporten:dcr.write, which maskinporten:profiles.supplier.adminScopes does not list/,
    );
  });
});
