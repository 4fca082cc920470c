/**
 * The wire format of Maskinporten and its self-service API v1, as zod schemas.
 *
 * One truth shared by the API client (which parses responses with them) and the simulator (which parses
 * requests and builds responses with them). Objects are loose: the live API adds fields that are not in its
 * spec, and a reader must keep and tolerate them.
 *
 * Schemas are built by functions and memoised, not at module scope, so that nothing here is captured by
 * Pulumi's closure serializer by value; zod itself is loaded on first use (~60-90 ms), so that what imports
 * only the constants below (the SDK's resources and errors, in every program) does not pay for it.
 */
import type { z } from "zod";
import { zod } from "./lazy-modules";

export const MASKINPORTEN_INTEGRATION_TYPE = "maskinporten";
export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
export const PRIVATE_KEY_JWT = "private_key_jwt";

export const SCOPE_VISIBILITIES = ["PUBLIC", "PRIVATE", "INTERNAL"] as const;
export const TOKEN_TYPES = ["SELF_CONTAINED", "OPAQUE"] as const;
/** Integration types a scope may be allowed for (`allowed_integration_types`). */
export const SCOPE_INTEGRATION_TYPES = ["maskinporten", "api_klient", "krr", "eformidling", "idporten", "ansattporten"] as const;
export const ACCESS_STATES = ["APPROVED", "DENIED", "REQUESTED"] as const;
export type AccessState = (typeof ACCESS_STATES)[number];

function build() {
  const { z } = zod();
  const timestamp = z.string();

  /** A public JWK as the API stores it on a client. Validation of its rules lives in `validation.ts`. */
  const jwk = z.looseObject({
    kty: z.string(),
    kid: z.string().optional(),
    use: z.string().optional(),
    alg: z.string().optional(),
    n: z.string().optional(),
    e: z.string().optional(),
    exp: z.number().optional(),
    x5c: z.array(z.string()).optional(),
    key_ops: z.array(z.string()).optional(),
  });
  const jwks = z.looseObject({ keys: z.array(jwk) });

  /** Fields a caller may send on POST/PUT /clients. */
  const clientRequest = z.looseObject({
    client_id: z.string().optional(),
    client_name: z.string().optional(),
    description: z.string().optional(),
    integration_type: z.string().optional(),
    application_type: z.string().optional(),
    token_endpoint_auth_method: z.string().optional(),
    grant_types: z.array(z.string()).optional(),
    scopes: z.array(z.string()).optional(),
    client_orgno: z.string().optional(),
    supplier_orgno: z.string().optional(),
    active: z.boolean().optional(),
    access_token_lifetime: z.number().optional(),
    authorization_lifetime: z.number().optional(),
    refresh_token_lifetime: z.number().optional(),
    refresh_token_usage: z.string().optional(),
    jwks: jwks.optional(),
    jwks_uri: z.string().optional(),
  });

  const client = clientRequest.extend({
    client_id: z.string(),
    client_orgno: z.string(),
    integration_type: z.string(),
    scopes: z.array(z.string()),
    active: z.boolean(),
    created: timestamp.optional(),
    last_updated: timestamp.optional(),
  });

  const scopeRequest = z.looseObject({
    prefix: z.string().optional(),
    subscope: z.string().optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    long_description: z.string().optional(),
    active: z.boolean().optional(),
    allowed_integration_types: z.array(z.string()).optional(),
    token_type: z.enum(TOKEN_TYPES).optional(),
    visibility: z.enum(SCOPE_VISIBILITIES).optional(),
    accessible_for_all: z.boolean().optional(),
    at_max_age: z.number().optional(),
    authorization_max_lifetime: z.number().optional(),
    delegation_source: z.string().optional(),
    requires_user_consent: z.boolean().optional(),
    requires_user_authentication: z.boolean().optional(),
    requires_pseudonymous_tokens: z.boolean().optional(),
    enforced_aud_for_access_token: z.string().optional(),
  });

  const scope = scopeRequest.extend({
    name: z.string(),
    prefix: z.string(),
    subscope: z.string(),
    active: z.boolean(),
    owner_orgno: z.string(),
    created: timestamp.optional(),
    last_updated: timestamp.optional(),
  });

  const scopeAccess = z.looseObject({
    scope: z.string(),
    owner_orgno: z.string().optional(),
    owner_organization_name: z.string().optional(),
    consumer_orgno: z.string(),
    consumer_organization_name: z.string().optional(),
    state: z.enum(ACCESS_STATES),
    created: timestamp.optional(),
    last_updated: timestamp.optional(),
  });

  const apiFieldError = z.looseObject({
    errorMessage: z.string().optional(),
    isFieldError: z.boolean().optional(),
    objectName: z.string().optional(),
    fieldIdentifier: z.string().optional(),
  });

  const apiErrorResponse = z.looseObject({
    status: z.number(),
    timestamp: z.string().optional(),
    correlation_id: z.string().optional(),
    errors: z.array(apiFieldError).optional(),
    error: z.string().optional(),
    error_description: z.string().optional(),
  });

  const tokenResponse = z.looseObject({
    access_token: z.string(),
    token_type: z.string(),
    expires_in: z.number(),
    scope: z.string().optional(),
  });

  const oauthError = z.looseObject({
    error: z.string(),
    error_description: z.string().optional(),
    /** Maskinporten's: `https://…/errors/MP-121`. */
    error_uri: z.string().optional(),
  });

  const authServerMetadata = z.looseObject({
    issuer: z.string(),
    token_endpoint: z.string(),
    jwks_uri: z.string(),
  });

  /** An ISO 6523 organisation identifier as Maskinporten writes it in tokens: `0192:<orgno>`. */
  const iso6523 = z.looseObject({ authority: z.string(), ID: z.string() });

  /** Claims of a Maskinporten access token (self-contained JWT). */
  const accessTokenClaims = z.looseObject({
    iss: z.string(),
    client_id: z.string(),
    scope: z.string(),
    consumer: iso6523,
    supplier: iso6523.optional(),
    client_amr: z.string().optional(),
    token_type: z.string().optional(),
    aud: z.union([z.string(), z.array(z.string())]).optional(),
    iat: z.number(),
    exp: z.number(),
    jti: z.string().optional(),
  });

  return {
    jwk,
    jwks,
    clientRequest,
    client,
    clientList: z.array(client),
    scopeRequest,
    scope,
    scopeList: z.array(scope),
    scopeAccess,
    scopeAccessList: z.array(scopeAccess),
    prefixList: z.array(z.string()),
    apiFieldError,
    apiErrorResponse,
    tokenResponse,
    oauthError,
    authServerMetadata,
    accessTokenClaims,
  };
}

export type WireSchemas = ReturnType<typeof build>;
let memo: WireSchemas | undefined;
/** The wire schemas, built on first use. */
export function wire(): WireSchemas {
  return (memo ??= build());
}

export type Jwk = z.infer<WireSchemas["jwk"]>;
export type Jwks = z.infer<WireSchemas["jwks"]>;
export type ClientRequest = z.infer<WireSchemas["clientRequest"]>;
export type ApiClient = z.infer<WireSchemas["client"]>;
export type ScopeRequest = z.infer<WireSchemas["scopeRequest"]>;
export type ApiScope = z.infer<WireSchemas["scope"]>;
export type ScopeAccess = z.infer<WireSchemas["scopeAccess"]>;
export type ApiFieldError = z.infer<WireSchemas["apiFieldError"]>;
export type ApiErrorResponse = z.infer<WireSchemas["apiErrorResponse"]>;
export type TokenResponse = z.infer<WireSchemas["tokenResponse"]>;
export type OAuthErrorResponse = z.infer<WireSchemas["oauthError"]>;
export type AuthServerMetadata = z.infer<WireSchemas["authServerMetadata"]>;
export type AccessTokenClaims = z.infer<WireSchemas["accessTokenClaims"]>;

/** Admin scopes of the self-service API. */
export const ADMIN_SCOPES = {
  dcrRead: "idporten:dcr.read",
  dcrWrite: "idporten:dcr.write",
  dcrModify: "idporten:dcr.modify",
  dcrSupplier: "idporten:dcr.supplier",
  scopesRead: "idporten:scopes.read",
  scopesWrite: "idporten:scopes.write",
} as const;

export const DEFAULT_ADMIN_SCOPES = [
  ADMIN_SCOPES.dcrRead,
  ADMIN_SCOPES.dcrWrite,
  ADMIN_SCOPES.scopesRead,
  ADMIN_SCOPES.scopesWrite,
] as const;
