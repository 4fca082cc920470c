/**
 * Public types of the simulator: its options, the handle `startSimulator` returns, and the shapes of the
 * `/__sim/` test hooks (fault rules, request log, counters) shared by the server and `SimulatorControl`.
 */
import type { JWK } from "jose";
import type { SimulatorControl } from "./control";
import type { SimulatorSwitches, VariantSpec } from "./variant";

/** An organisation to seed. Each gets an admin client (a real client record of the organisation). */
export interface OrgSeed {
  /** Nine digits with a valid mod-11 check digit. */
  orgno: string;
  name: string;
  /** Scope prefixes the organisation owns (it may create scopes `prefix:*`). */
  prefixes?: string[];
  /** Give the admin client `idporten:dcr.supplier` so it can manage clients of other organisations. */
  supplier?: boolean;
  /**
   * Admin scopes of its self-service clients. Default: by role (owner: has prefixes; supplier; consumer) and
   * the `ownerAdminScopes` / `consumerAdminScopes` switches; suppliers get all of them plus dcr.supplier.
   */
  adminScopes?: string[];
}

export interface SimulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. Anything but loopback is refused unless `allowNonLoopback`. */
  host?: string;
  allowNonLoopback?: boolean;
  /** Keep the whole state in this JSON file (written atomically after each change, loaded on start). */
  stateFile?: string;
  /** Organisations to seed on a fresh state; default: an API owner, a consumer and a supplier. */
  orgs?: OrgSeed[];
  /** Delay before key changes reach the token endpoint (the real one takes 0–2 minutes). Default 0. */
  propagationDelayMs?: number;
  /** Seed of the random generator behind fault probabilities, so runs reproduce. Default 1. */
  faultSeed?: number;
  /** Shift of the simulator's clock, in seconds. Default 0. */
  clockOffsetSeconds?: number;
  /** Extra CA certificates (PEM) whose business certificates are accepted for `x5c` authentication. */
  trustedCaPems?: string[];
  /** Most request-log entries kept in memory (counters stay exact). Default 100 000. */
  requestLogLimit?: number;
  /** No human-readable logs on stderr. Default true for `startSimulator`; the CLI logs unless `--quiet`. */
  quiet?: boolean;
  /** Log every request on stderr (when not quiet). */
  verbose?: boolean;
  /**
   * How the simulator answers where the evidence leaves Digdir's behaviour open: a preset ("default",
   * "adverse") or switches layered on one (`{ base: "adverse", clientIdOnCreate: "refused" }`). See the README.
   */
  variant?: VariantSpec;
}

/** An organisation as the simulator hands it out, with its admin credentials. */
export interface SimulatorOrg {
  orgno: string;
  name: string;
  prefixes: string[];
  adminClientId: string;
  /** The admin client's PRIVATE RSA JWK, with `kid` and `alg`. */
  adminKey: JWK & { kid: string; alg: string };
  adminScopes: string[];
  /** Its self-service client without keys that authenticates with a business certificate (x5c). */
  certificateClientId: string;
}

/** A business certificate of an organisation, with the self-service client it authenticates. */
export interface AdminCertificate extends BusinessCertificate {
  clientId: string;
}

export interface BusinessCertificateOptions {
  notBefore?: Date;
  notAfter?: Date;
  /** Password of the PKCS#12 file; generated when absent. */
  password?: string;
  commonName?: string;
  /**
   * Where the subject carries the organisation number: 2 (default) `organizationIdentifier=NTRNO-<orgno>`
   * like current SEID 2 certificates, 1 `serialNumber=<orgno>` like older SEID 1 ones.
   */
  seid?: 1 | 2;
}

export interface BusinessCertificate {
  /** PKCS#12 (.p12) holding the key, the certificate and the CA, base64. */
  p12Base64: string;
  password: string;
  certificatePem: string;
  /** Certificate followed by the CA certificate. */
  chainPem: string;
  privateKeyPem: string;
}

export interface SimulatorCa {
  certificatePem: string;
  issueBusinessCertificate(orgno: string, opts?: BusinessCertificateOptions): Promise<BusinessCertificate>;
}

export interface SimulatorHandle {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:PORT`. */
  url: string;
  /** `url + "/"`: the trailing slash is part of the issuer, as with the real one. */
  issuer: string;
  tokenEndpoint: string;
  jwksUri: string;
  /** `url + "/api/v1"`. */
  apiBaseUrl: string;
  /** Altinn's token exchange: GET with a Maskinporten token as bearer, answers an Altinn token as text. */
  altinnExchangeUrl: string;
  port: number;
  orgs: SimulatorOrg[];
  /** The organisation that owns the `idporten:*` admin scopes and the public catalogue scopes. */
  digdirOrgno: string;
  ca: SimulatorCa;
  control: SimulatorControl;
  /** The switches in force. */
  readonly switches: SimulatorSwitches;
  /** Changes switches at run time (a preset name, or switches layered on the current ones); returns all of them. */
  setVariant(spec: VariantSpec): SimulatorSwitches;
  /**
   * A business certificate (PKCS#12 and PEMs) of the organisation and the id of its certificate-authenticated
   * self-service client, for the x5c admin flow Digdir documents.
   */
  adminCertificate(orgno: string, opts?: BusinessCertificateOptions): Promise<AdminCertificate>;
  /** The JSON object the CLI prints on start. */
  startupInfo(): StartupInfo;
  /** Stops listening, drops open connections and flushes the state file. */
  close(): Promise<void>;
}

/** The single JSON line printed on stdout when the CLI starts. */
export interface StartupInfo {
  url: string;
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
  api_base_url: string;
  control_url: string;
  altinn_exchange_url: string;
  digdir_orgno: string;
  ca_certificate_pem: string;
  /** The switches in force at start. */
  variant: SimulatorSwitches;
  orgs: StartupOrg[];
}

export interface StartupOrg {
  orgno: string;
  name: string;
  prefixes: string[];
  admin_client_id: string;
  admin_key: SimulatorOrg["adminKey"];
  admin_scopes: string[];
  certificate_client_id: string;
}

export type FaultKind = "latency" | "status" | "reset" | "drop-after-commit";

export interface FaultRule {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Prefix of the pathname, or a glob where `*` matches anything (e.g. `/api/v1/clients*`). Any when absent. */
  path?: string;
  kind: FaultKind;
  /** For `latency`: delay before the request is handled. */
  latencyMs?: number;
  /** For `status`: the status sent instead of handling the request. */
  status?: 429 | 500 | 502 | 503 | 504;
  /** For `status` (typically 429): the Retry-After header, in seconds. */
  retryAfterSeconds?: number;
  /** Chance that a matching request is hit, 0..1. Default 1. */
  probability?: number;
  /** Hit at most this many requests, then the rule is spent. Unlimited when absent. */
  count?: number;
}

export interface FaultRuleState extends FaultRule {
  id: string;
  /** Requests this rule has hit so far. */
  hits: number;
}

export type RequestKind = "token" | "api" | "metadata" | "portal" | "exchange";

export interface RequestLogEntry {
  seq: number;
  /** ISO time on the simulator's clock. */
  time: string;
  method: string;
  path: string;
  /** The route template, e.g. `/api/v1/clients/{client_id}`; `unmatched` when no route matched. */
  route: string;
  /** 0 when the connection was reset or dropped before a status was sent. */
  status: number;
  kind: RequestKind;
  /** The calling organisation (API, portal) or the client's organisation (token). */
  orgno?: string;
  /** The calling client (API) or the grant's `iss` (token). */
  clientId?: string;
  /** The fault that hit this request. */
  fault?: FaultKind;
  durationMs: number;
}

export interface RequestCounters {
  total: number;
  token: number;
  /** Token requests answered 200. */
  tokenIssued: number;
  apiReads: number;
  /** Non-GET API requests. */
  apiWrites: number;
  metadata: number;
  portal: number;
  exchange: number;
  /** Requests hit by a fault (latency included). */
  faults: number;
  /** `"METHOD /route/template"` → count. */
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
}
