/**
 * The Maskinporten API client, free of Pulumi: `import { connect } from "pulumi-maskinporten/api"`. Exported by
 * name, as the README's "The API client" and "Errors" sections describe it: the connection and client, tokens,
 * environments and credentials, the errors, and the wire types and Maskinporten's limits. The zod schemas and the
 * rule functions behind `check` stay inside the package.
 */
import "./node-support"; // first: refuses an unsupported Node.js before undici or jose load
export { connect, type Connection, type ConnectionSettings } from "./connection";
export { MaskinportenApi, type MaskinportenApiOptions, type RecogniseClient } from "./maskinporten-api";
export { NEEDS as ADMIN_SCOPE_NEEDS, type ScopeNeed } from "./admin-scopes";
export { TokenSource, type AccessToken, type AccessTokens, type TokenSourceOptions } from "./token";
export { ENVIRONMENTS, resolveEndpoints, type Endpoints, type EnvironmentName } from "./environments";
export { loadCredential, type Credential, type CredentialSpec } from "./credentials";
export { createGrantAssertion } from "./assertion";
export { HttpTransport, type HttpTransportOptions } from "./http";
export {
  ApiError,
  AuthError,
  ConfigError,
  CreateOutcomeUnknownError,
  ERROR_CODES,
  isMaskinportenError,
  KeyError,
  KeyNotVerifiedError,
  MaskinportenError,
  MissingAdminScopeError,
  NetworkError,
  TooManyKeysError,
  type ErrorCode,
  type FieldError,
  type MaskinportenErrors,
} from "./errors";
export {
  ACCESS_STATES,
  ADMIN_SCOPES,
  DEFAULT_ADMIN_SCOPES,
  JWT_BEARER_GRANT,
  MASKINPORTEN_INTEGRATION_TYPE,
  PRIVATE_KEY_JWT,
  SCOPE_INTEGRATION_TYPES,
  SCOPE_VISIBILITIES,
  TOKEN_TYPES,
  type AccessState,
  type AccessTokenClaims,
  type ApiClient,
  type ApiScope,
  type AuthServerMetadata,
  type ClientRequest,
  type Jwk,
  type Jwks,
  type ScopeAccess,
  type ScopeRequest,
  type TokenResponse,
} from "./wire";
export { MAX_KEYS_PER_CLIENT } from "./key-limit";
export {
  KID_MAX_LENGTH,
  KID_PATTERN,
  MAX_KEY_LIFETIME_SECONDS,
  MIN_RSA_MODULUS_BITS,
  PREFIX_PATTERN,
  SUBSCOPE_PATTERN,
  isValidOrgno,
} from "./validation";
