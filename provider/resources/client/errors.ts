/** Client errors that need more than the API's own words. */
import { ApiError, ConfigError } from "../../api/errors";
import { MASKINPORTEN_INTEGRATION_TYPE, type ApiClient } from "../../api/wire";

const SCOPE_HINT =
  " A scope of another organisation can be put on a client only once its owner has granted your organisation access " +
  "(a ScopeGrant in the owner's program, or a grant in Digdir's portal), unless the scope is accessible_for_all; " +
  "check also that the scope exists and is active in this environment (test and prod have separate grants).";

/** Runs a client write; a 400 about `scopes` gets the hint on how access to a scope is obtained. */
export async function explainingScopeRejection<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof ApiError && err.status === 400 && err.fieldErrors.some((f) => f.field.startsWith("scopes"))) {
      throw new ApiError({
        status: err.status,
        message: `${err.message}${SCOPE_HINT}`,
        operation: err.operation,
        fieldErrors: err.fieldErrors,
        code: err.code,
        ...(err.correlationId !== undefined && { correlationId: err.correlationId }),
        ...(err.method !== undefined && { method: err.method }),
        ...(err.path !== undefined && { path: err.path }),
      });
    }
    throw err;
  }
}

export function adoptedClientMissing(clientId: string): ConfigError {
  return new ConfigError(
    "adoptClientId",
    `there is no client "${clientId}" your credential can see in this environment; copy the client_id from Digdir's portal ` +
      "(Samarbeidsportalen) of the same environment (test or prod), or leave adoptClientId out to create a new client",
    "CLIENT_NOT_FOUND",
  );
}

/** Why an existing client cannot be taken over by these inputs, or undefined when it can. */
export function adoptionProblem(client: ApiClient, clientOrgno: string | undefined): ConfigError | undefined {
  if (client.integration_type !== MASKINPORTEN_INTEGRATION_TYPE) {
    return new ConfigError(
      "adoptClientId",
      `client "${client.client_id}" is a client of integration type "${client.integration_type}", not a Maskinporten client ` +
        `("${MASKINPORTEN_INTEGRATION_TYPE}"), and the integration type cannot be changed; adopt a Maskinporten client, or leave ` +
        "adoptClientId out to create a new one",
      "NOT_A_MASKINPORTEN_CLIENT",
    );
  }
  if (clientOrgno !== undefined && client.client_orgno !== clientOrgno) {
    return new ConfigError(
      "adoptClientId",
      `client "${client.client_id}" belongs to organisation ${client.client_orgno}, but clientOrgno is ${clientOrgno}; a client ` +
        "cannot move to another organisation: set clientOrgno to its organisation, or leave adoptClientId out to create a new client",
      "CLIENT_OF_OTHER_ORGANISATION",
    );
  }
  return undefined;
}
