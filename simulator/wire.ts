/**
 * The simulator's own view of the wire: the shapes Maskinporten and its self-service API v1 send and
 * receive, written from the reference, not borrowed from the provider (whose assumptions the simulator
 * exists to test). Request schemas are loose: unknown members are tolerated, as the live API does, and
 * hold no rules; the rules are in `rules.ts`.
 */
import { z } from "zod";

export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
export const PRIVATE_KEY_JWT = "private_key_jwt";
export const MASKINPORTEN_INTEGRATION_TYPE = "maskinporten";

export type AccessState = "APPROVED" | "DENIED" | "REQUESTED";

/** Admin scopes of the self-service API. */
export const ADMIN_SCOPES = {
  dcrRead: "idporten:dcr.read",
  dcrWrite: "idporten:dcr.write",
  dcrModify: "idporten:dcr.modify",
  dcrSupplier: "idporten:dcr.supplier",
  scopesRead: "idporten:scopes.read",
  scopesWrite: "idporten:scopes.write",
} as const;

export interface Jwk {
  kty: string;
  kid?: string;
  use?: string;
  alg?: string;
  n?: string;
  e?: string;
  exp?: number;
  x5c?: string[];
  [member: string]: unknown;
}

/** A JWKS answer: the keys, and the set-level timestamps the live API adds. */
export interface Jwks {
  keys: Jwk[];
  created?: string;
  last_updated?: string;
  [member: string]: unknown;
}

export interface ClientRequest {
  client_id?: string;
  client_name?: string;
  description?: string;
  integration_type?: string;
  application_type?: string;
  token_endpoint_auth_method?: string;
  grant_types?: string[];
  scopes?: string[];
  client_orgno?: string;
  supplier_orgno?: string;
  active?: boolean;
  access_token_lifetime?: number;
  authorization_lifetime?: number;
  refresh_token_lifetime?: number;
  refresh_token_usage?: string;
  jwks?: { keys: Record<string, unknown>[] };
  jwks_uri?: string;
  [member: string]: unknown;
}

export interface ApiClient extends ClientRequest {
  client_id: string;
  client_orgno: string;
  integration_type: string;
  scopes: string[];
  active: boolean;
  jwks?: Jwks;
  created?: string;
  last_updated?: string;
}

export interface ScopeRequest {
  prefix?: string;
  subscope?: string;
  name?: string;
  description?: string;
  long_description?: string;
  active?: boolean;
  allowed_integration_types?: string[];
  token_type?: string;
  visibility?: string;
  accessible_for_all?: boolean;
  at_max_age?: number;
  authorization_max_lifetime?: number;
  delegation_source?: string;
  requires_user_consent?: boolean;
  requires_user_authentication?: boolean;
  requires_pseudonymous_tokens?: boolean;
  enforced_aud_for_access_token?: string;
  [member: string]: unknown;
}

export interface ApiScope extends ScopeRequest {
  name: string;
  prefix: string;
  subscope: string;
  active: boolean;
  owner_orgno: string;
  created?: string;
  last_updated?: string;
}

export interface ScopeAccess {
  scope: string;
  owner_orgno?: string;
  owner_organization_name?: string;
  consumer_orgno: string;
  consumer_organization_name?: string;
  state: AccessState;
  created?: string;
  last_updated?: string;
  [member: string]: unknown;
}

export interface ApiFieldError {
  errorMessage?: string;
  isFieldError?: boolean;
  objectName?: string;
  fieldIdentifier?: string;
}

export interface ApiErrorResponse {
  status: number;
  timestamp?: string;
  correlation_id?: string;
  errors?: ApiFieldError[];
  error?: string;
  error_description?: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

export interface AuthServerMetadata {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
  [member: string]: unknown;
}

/** An ISO 6523 organisation identifier as Maskinporten writes it in tokens: `0192:<orgno>`. */
export interface Iso6523 {
  authority: string;
  ID: string;
}

export interface AccessTokenClaims {
  iss: string;
  client_id: string;
  scope: string;
  consumer: Iso6523;
  supplier?: Iso6523;
  client_amr?: string;
  token_type?: string;
  aud?: string | string[];
  iat: number;
  exp: number;
  jti?: string;
  [claim: string]: unknown;
}

function buildRequestSchemas() {
  const jwk = z.looseObject({
    kty: z.string(),
    kid: z.string().optional(),
    use: z.string().optional(),
    alg: z.string().optional(),
    n: z.string().optional(),
    e: z.string().optional(),
    exp: z.number().optional(),
    x5c: z.array(z.string()).optional(),
  });
  const jwks = z.looseObject({ keys: z.array(jwk) });
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
  const scopeRequest = z.looseObject({
    prefix: z.string().optional(),
    subscope: z.string().optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    long_description: z.string().optional(),
    active: z.boolean().optional(),
    allowed_integration_types: z.array(z.string()).optional(),
    token_type: z.string().optional(),
    visibility: z.string().optional(),
    accessible_for_all: z.boolean().optional(),
    at_max_age: z.number().optional(),
    authorization_max_lifetime: z.number().optional(),
    delegation_source: z.string().optional(),
    requires_user_consent: z.boolean().optional(),
    requires_user_authentication: z.boolean().optional(),
    requires_pseudonymous_tokens: z.boolean().optional(),
    enforced_aud_for_access_token: z.string().optional(),
  });
  return { jwk, jwks, clientRequest, scopeRequest };
}

let memo: ReturnType<typeof buildRequestSchemas> | undefined;
/** Schemas of request bodies (member types only), built on first use. */
export function requestSchemas(): ReturnType<typeof buildRequestSchemas> {
  return (memo ??= buildRequestSchemas());
}
