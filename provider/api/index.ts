/** The Maskinporten API client, free of Pulumi: `import { connect } from "pulumi-maskinporten/api"`. */
import "./node-support"; // first: refuses an unsupported Node.js before undici or jose load
export { connect, type Connection, type ConnectionSettings } from "./connection";
export { CreateOutcomeUnknownError, MaskinportenApi, TooManyKeysError, type MaskinportenApiOptions, type RecogniseClient } from "./maskinporten-api";
export { MissingAdminScopeError, NEEDS as ADMIN_SCOPE_NEEDS, type ScopeNeed } from "./admin-scopes";
export { TokenSource, metadataSource, type AccessToken, type AccessTokens, type TokenSourceOptions } from "./token";
export { ENVIRONMENTS, resolveEndpoints, type Endpoints, type EnvironmentName } from "./environments";
export { loadCredential, type Credential, type CredentialSpec } from "./credentials";
export { createGrantAssertion } from "./assertion";
export { HttpTransport, type HttpTransportOptions } from "./http";
export { ApiError, AuthError, ConfigError, MaskinportenError, NetworkError } from "./errors";
export * from "./wire";
export * from "./validation";
