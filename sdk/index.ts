/** pulumi-maskinporten: Maskinporten clients, keys, scopes and scope grants as Pulumi resources. */
import "../provider/api/node-support"; // first: refuses an unsupported Node.js before undici or jose load
export { Scope, type ScopeArgs } from "./resources/scope";
export { ScopeGrant, type ScopeGrantArgs } from "./resources/scope-grant";
export { Client, type ClientArgs } from "./resources/client";
export { ClientKey, type ClientKeyArgs, type GenerateKeyArgs, type KidConventionArgs, type VerifyKeyArgs } from "./resources/client-key";
export { RotatingClientKey, type RetiringKey, type RotatedKey, type RotatingClientKeyArgs } from "./resources/rotating-client-key";
export {
  clearTokenCache,
  exchangeToAltinnToken,
  getAccessToken,
  getToken,
  type AltinnExchangeOptions,
  type MaskinportenEnvironment,
  type Token,
  type TokenOptions,
} from "./tokens";
export {
  ApiError,
  AuthError,
  ConfigError,
  CreateOutcomeUnknownError,
  ERROR_CODES,
  isMaskinportenError,
  KeyNotVerifiedError,
  MaskinportenError,
  MissingAdminScopeError,
  NetworkError,
  TooManyKeysError,
  type ErrorCode,
  type MaskinportenErrors,
} from "../provider/api/errors";
export {
  altinnKid,
  generateAltinnKeyPairs,
  generateKeyPair,
  KeyError,
  toPublicJwk,
  type AltinnKeyPair,
  type AltinnKeyPairsOptions,
  type GeneratedKey,
  type GenerateKeyOptions,
  type PrivateJwk,
  type PublicJwk,
} from "./keys";
