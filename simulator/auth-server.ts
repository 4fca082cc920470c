/**
 * The authorization server: metadata, the JWKS of the signing key, and the token endpoint checking a JWT
 * bearer grant the way Maskinporten does. Also verifies the access tokens the self-service API receives.
 */
import { randomUUID, type KeyObject } from "node:crypto";
import * as jose from "jose";
import { CaError, type ChainVerifier } from "./ca";
import type { Clock } from "./clock";
import { OAuthError, json, type LogFacts, type MpCode, type SimRequest, type SimResponse } from "./http";
import { privateKeyObject, publicKeyObject, publicPart } from "./keys";
import { GRANT_CLAIMS, IAT_SKEW_SECONDS, JWK_ALGORITHMS, MAX_GRANT_LIFETIME_SECONDS, isGrantedTo, scopeUseProblem } from "./rules";
import type { ClientRecord, Store } from "./state";
import { JWT_BEARER_GRANT, type AccessTokenClaims, type AuthServerMetadata, type TokenResponse } from "./wire";

export interface ServerUrls {
  url: string;
  issuer: string;
  tokenEndpoint: string;
  jwksUri: string;
}

const CONSUMER_AUTHORITY = "iso6523-actorid-upis";

export interface AdminCaller {
  orgno: string;
  clientId: string;
  scopes: Set<string>;
}

interface SigningKeys {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwks: { keys: jose.JWK[] };
}

function invalidGrant(message: string, mpCode?: MpCode): OAuthError {
  return new OAuthError("invalid_grant", message, mpCode);
}

/** evidence: real error bodies carry `(trace_id: …)` in `error_description`, and `error_uri` …/errors/MP-nnn. */
function oauthErrorBody(err: OAuthError, baseUrl: string): Record<string, string> {
  const traceId = randomUUID().replace(/-/g, "");
  return {
    error: err.code,
    error_description: `${err.message} (trace_id: ${traceId})`,
    ...(err.mpCode ? { error_uri: `${baseUrl}/errors/${err.mpCode}` } : {}),
  };
}

function isAccessTokenClaims(payload: jose.JWTPayload): payload is jose.JWTPayload & AccessTokenClaims {
  const consumer = payload["consumer"] as { ID?: unknown } | undefined;
  return (
    typeof payload["client_id"] === "string" &&
    typeof payload["scope"] === "string" &&
    typeof consumer?.ID === "string" &&
    typeof payload.exp === "number"
  );
}

export class AuthServer {
  private signing?: SigningKeys;
  private readonly usedJtis = new Map<string, number>();
  /** Admin tokens already verified (token → caller and expiry), so repeated API calls skip the RSA check. */
  private readonly verified = new Map<string, { caller: AdminCaller; exp: number; kid: string }>();
  private jtiInserts = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly verifier: ChainVerifier,
    private readonly urls: ServerUrls,
  ) {}

  private keys(): SigningKeys {
    const jwk = this.store.signingKey;
    if (!this.signing || this.signing.kid !== jwk.kid) {
      this.signing = {
        kid: jwk.kid,
        privateKey: privateKeyObject(jwk),
        publicKey: publicKeyObject(jwk),
        jwks: { keys: [publicPart(jwk)] },
      };
    }
    return this.signing;
  }

  metadata(): SimResponse {
    const body: AuthServerMetadata = {
      issuer: this.urls.issuer,
      token_endpoint: this.urls.tokenEndpoint,
      jwks_uri: this.urls.jwksUri,
      token_endpoint_auth_methods_supported: ["private_key_jwt"],
      grant_types_supported: [JWT_BEARER_GRANT],
      token_endpoint_auth_signing_alg_values_supported: [...JWK_ALGORITHMS],
      authorization_details_types_supported: [],
    };
    return json(body);
  }

  jwks(): SimResponse {
    return json(this.keys().jwks);
  }

  /** POST /token. OAuth errors come back as responses, never thrown. */
  async token(req: SimRequest, facts: LogFacts): Promise<SimResponse> {
    try {
      return await this.issue(req, facts);
    } catch (err) {
      if (err instanceof OAuthError) {
        return { status: err.status, body: oauthErrorBody(err, this.urls.url), headers: { "cache-control": "no-store" } };
      }
      throw err;
    }
  }

  private async issue(req: SimRequest, facts: LogFacts): Promise<SimResponse> {
    const contentType = String(req.headers["content-type"] ?? "");
    if (!contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      throw new OAuthError(
        "invalid_request",
        `the token request must be a form (Content-Type application/x-www-form-urlencoded), got ${JSON.stringify(contentType || "nothing")}`,
      );
    }
    const form = new URLSearchParams(req.body.toString("utf8"));
    const grantType = form.get("grant_type");
    if (!grantType) throw new OAuthError("invalid_request", `grant_type is missing; send grant_type=${JWT_BEARER_GRANT}`);
    if (grantType !== JWT_BEARER_GRANT)
      throw new OAuthError(
        "unsupported_grant_type",
        `grant_type ${JSON.stringify(grantType)} is not supported; Maskinporten accepts only ${JWT_BEARER_GRANT}`,
      );
    const assertion = form.get("assertion");
    if (!assertion) throw new OAuthError("invalid_request", "assertion is missing: send the signed JWT grant as the form field assertion");

    let header: jose.ProtectedHeaderParameters;
    let claims: jose.JWTPayload;
    try {
      header = jose.decodeProtectedHeader(assertion);
      claims = jose.decodeJwt(assertion);
    } catch {
      throw invalidGrant("Invalid assertion. The assertion is not a signed JWT (header.payload.signature, base64url)");
    }

    const alg = header.alg;
    if (!JWK_ALGORITHMS.includes(alg as string)) {
      throw invalidGrant(
        `Invalid assertion. The JWT header alg is ${JSON.stringify(alg ?? null)}; use one of ${JWK_ALGORITHMS.join(", ")}`,
      );
    }
    const hasKid = header.kid !== undefined;
    const hasX5c = header.x5c !== undefined;
    if (!hasKid && !hasX5c) {
      throw invalidGrant(
        "Invalid assertion. The JWT header needs kid (a key registered on the client) or x5c (a business certificate chain)",
      );
    }
    const unknown = Object.keys(claims).filter((c) => !GRANT_CLAIMS.has(c));
    if (unknown.length > 0) {
      throw invalidGrant(`Invalid assertion. Claims Maskinporten does not accept: ${unknown.join(", ")}`);
    }

    const clientId = claims.iss;
    if (typeof clientId !== "string" || clientId === "") throw invalidGrant("Invalid assertion. The claim iss must be your client_id");
    facts.clientId = clientId;
    if (claims.sub !== undefined && claims.sub !== clientId) {
      throw invalidGrant("Invalid assertion. The claim sub, when present, must be your client_id (the same as iss)");
    }
    const client = this.store.clients.get(clientId);
    if (!client)
      throw new OAuthError(
        "invalid_client",
        `Invalid assertion. Client authentication failed. Client not found: ${JSON.stringify(clientId)}`,
      );
    facts.orgno = client.client_orgno;
    if (!client.active)
      throw new OAuthError("invalid_client", `Invalid assertion. Client authentication failed. Client ${clientId} is deactivated`);
    if (!client.grant_types.includes(JWT_BEARER_GRANT)) {
      throw new OAuthError("unauthorized_client", `client ${clientId} is not registered for grant type ${JWT_BEARER_GRANT}`);
    }

    const nowMs = this.clock.nowMs();
    const now = Math.floor(nowMs / 1000);
    const keys = this.store.keyView.current(clientId, nowMs);
    let clientAmr: string;
    let verifyKey: KeyObject;
    // evidence: a grant may carry both kid and x5c (KS Fiks); the registered kid decides, so a client with
    // keys is checked by kid and a keyless one by its certificate.
    const byKid = hasKid && (!hasX5c || (keys?.size ?? 0) > 0 || client.keys.length > 0);
    if (byKid) {
      const kid = header.kid!;
      const key = keys?.get(kid);
      if (!key) {
        const pending = client.keys.some((k) => k.kid === kid);
        throw invalidGrant(
          `Unknown key identifier (kid) for client. No key with kid ${JSON.stringify(kid)} is registered on client ${clientId}` +
            (pending ? " yet: key changes take a while to reach the token endpoint, try again shortly" : ""),
        );
      }
      if (key.exp <= now) {
        throw invalidGrant(
          `Invalid assertion. Client authentication failed. Expired key (MP-121): key ${JSON.stringify(kid)} expired at ${new Date(key.exp * 1000).toISOString()}; register a new key`,
          "MP-121",
        );
      }
      verifyKey = key.key;
      clientAmr = "private_key_jwt";
    } else {
      if (keys && keys.size > 0) {
        throw invalidGrant(`Invalid assertion. Client ${clientId} has registered keys and must authenticate with kid, not x5c`);
      }
      let chain;
      try {
        chain = this.verifier.verify(header.x5c, new Date(nowMs));
      } catch (err) {
        if (err instanceof CaError)
          throw invalidGrant(
            `Invalid assertion. Client authentication failed. The JWT is signed with an invalid certificate (MP-120): ${err.message}`,
            "MP-120",
          );
        throw err;
      }
      if (chain.orgno !== client.client_orgno && chain.orgno !== client.supplier_orgno) {
        throw invalidGrant(
          `Invalid assertion. Client authentication failed. The certificate belongs to organisation ${chain.orgno}, but client ${clientId} belongs to ${client.client_orgno}`,
        );
      }
      verifyKey = chain.leaf.publicKey;
      clientAmr = "virksomhetssertifikat";
    }
    try {
      await jose.compactVerify(assertion, verifyKey, { algorithms: [alg!] });
    } catch {
      throw invalidGrant(
        `Invalid JWT signature. The signature does not verify with ${byKid ? `key ${JSON.stringify(header.kid)}` : "the certificate in x5c"}`,
      );
    }

    const aud = claims.aud;
    const audOk = aud === this.urls.issuer || (Array.isArray(aud) && aud.length === 1 && aud[0] === this.urls.issuer);
    if (!audOk) {
      throw invalidGrant(
        `Invalid assertion. Client authentication failed. Invalid JWT claim aud (MP-110): expected ${JSON.stringify(this.urls.issuer)} (the issuer, with its trailing slash), got ${JSON.stringify(aud ?? null)}`,
        "MP-110",
      );
    }
    const iat = claims.iat;
    const exp = claims.exp;
    if (typeof iat !== "number")
      throw invalidGrant("Invalid assertion. The claim iat (issued at, seconds since the epoch, UTC) is missing");
    if (typeof exp !== "number") throw invalidGrant("Invalid assertion. The claim exp (expiry, seconds since the epoch, UTC) is missing");
    if (Math.abs(iat - now) > IAT_SKEW_SECONDS) {
      throw invalidGrant(
        `Invalid assertion. iat is ${Math.round(iat - now)} s from the server clock; it must be within ${IAT_SKEW_SECONDS} s: make a fresh grant for each request and check the machine's clock`,
      );
    }
    if (exp - iat > MAX_GRANT_LIFETIME_SECONDS)
      throw invalidGrant(`Invalid assertion. exp - iat is ${exp - iat} s; at most ${MAX_GRANT_LIFETIME_SECONDS} s is allowed`);
    if (exp <= now) throw invalidGrant("Invalid assertion. JWT is expired");
    if (typeof claims.nbf === "number" && claims.nbf > now + IAT_SKEW_SECONDS)
      throw invalidGrant("Invalid assertion. The JWT is not valid yet (nbf)");
    if (claims.jti !== undefined) {
      if (typeof claims.jti !== "string" || claims.jti === "") throw invalidGrant("Invalid assertion. jti must be a non-empty string");
      const jtiKey = `${clientId}\n${claims.jti}`;
      const usedUntil = this.usedJtis.get(jtiKey);
      if (usedUntil !== undefined && usedUntil > nowMs)
        throw invalidGrant(`Grant is used before: jti ${JSON.stringify(claims.jti)} was already used; make a new grant with a new jti`);
      this.rememberJti(jtiKey, exp * 1000 + IAT_SKEW_SECONDS * 1000, nowMs);
    }
    this.checkConsumerOrg(claims["consumer_org"], client);

    const requested = typeof claims["scope"] === "string" ? [...new Set(claims["scope"].split(/\s+/).filter(Boolean))] : [];
    if (requested.length === 0)
      throw new OAuthError(
        "invalid_scope",
        "No scope requested: the grant needs the claim scope, a space-separated list of scopes registered on the client",
      );
    const notOnClient = requested.filter((s) => !client.scopes.includes(s));
    if (notOnClient.length > 0) {
      throw new OAuthError(
        "invalid_scope",
        `Token request contains invalid scopes for client ${clientId}: ${notOnClient.join(" ")} (not registered on the client)`,
      );
    }
    let lifetime = client.access_token_lifetime;
    for (const name of requested) {
      // evidence: a scope on the client whose grant was revoked is `forbidden` (MP-250), not invalid_scope.
      const scope = this.store.scopes.get(name);
      if (scope?.active && !isGrantedTo(this.store, name, client.client_orgno)) {
        throw new OAuthError("forbidden", `Consumer has not been granted access to the scope ${name}`, "MP-250");
      }
      const problem = scopeUseProblem(this.store, name, client.client_orgno, client.integration_type);
      if (problem) throw new OAuthError("invalid_scope", `Token request contains invalid scopes for client ${clientId}: ${problem}`);
      const maxAge = this.store.scopes.get(name)?.at_max_age;
      if (maxAge !== undefined && maxAge > 0) lifetime = Math.min(lifetime, maxAge);
    }

    const resource = claims["resource"];
    const audience =
      typeof resource === "string"
        ? resource
        : Array.isArray(resource) && resource.length > 0
          ? resource.length === 1
            ? resource[0]
            : resource
          : "unspecified";
    const accessClaims: AccessTokenClaims = {
      scope: requested.join(" "),
      iss: this.urls.issuer,
      client_amr: clientAmr,
      token_type: "Bearer",
      aud: audience,
      client_id: clientId,
      consumer: { authority: CONSUMER_AUTHORITY, ID: `0192:${client.client_orgno}` },
      ...(client.supplier_orgno ? { supplier: { authority: CONSUMER_AUTHORITY, ID: `0192:${client.supplier_orgno}` } } : {}),
      iat: now,
      exp: now + lifetime,
      jti: randomUUID(),
    };
    const accessToken = await this.sign(accessClaims);
    const body: TokenResponse = { access_token: accessToken, token_type: "Bearer", expires_in: lifetime, scope: requested.join(" ") };
    return { status: 200, body, headers: { "cache-control": "no-store", pragma: "no-cache" } };
  }

  /**
   * evidence: `consumer_org` equal to the client's own organisation is refused with Maskinporten's text;
   * sim: any other is refused too, as delegation through Altinn is not simulated.
   */
  private checkConsumerOrg(consumerOrg: unknown, client: ClientRecord): void {
    if (consumerOrg === undefined) return;
    if (consumerOrg === client.client_orgno)
      throw invalidGrant("The combination consumer_org in claim and delegation scope on client is invalid");
    throw invalidGrant(`consumer_org ${JSON.stringify(consumerOrg)}: delegation through Altinn is not available in the simulator`);
  }

  private rememberJti(key: string, untilMs: number, nowMs: number): void {
    this.usedJtis.set(key, untilMs);
    if (++this.jtiInserts % 1000 === 0) {
      for (const [k, until] of this.usedJtis) if (until <= nowMs) this.usedJtis.delete(k);
    }
  }

  /** Signs a JWT with the simulator's signing key (header kid set). */
  sign(claims: Record<string, unknown>): Promise<string> {
    const signing = this.keys();
    return new jose.SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: signing.kid }).sign(signing.privateKey);
  }

  /** Verifies an access token of this simulator for the self-service API; throws with a safe message. */
  async verifyAccessToken(token: string): Promise<AdminCaller> {
    const cached = this.verified.get(token);
    if (cached && cached.exp > this.clock.nowSeconds() && cached.kid === this.store.signingKey.kid) return cached.caller;
    const claims = await this.verifyMaskinportenToken(token);
    const id = claims.consumer.ID;
    const orgno = id.startsWith("0192:") ? id.slice(5) : "";
    if (!orgno) throw new Error("the access token has no consumer organisation");
    const caller = { orgno, clientId: claims.client_id, scopes: new Set(claims.scope.split(" ").filter(Boolean)) };
    if (this.verified.size >= 1000) this.verified.clear();
    this.verified.set(token, { caller, exp: claims.exp, kid: this.store.signingKey.kid });
    return caller;
  }

  /** Verifies signature, issuer and expiry of an access token this simulator issued, and returns its claims. */
  async verifyMaskinportenToken(token: string): Promise<AccessTokenClaims> {
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, this.keys().publicKey, {
        issuer: this.urls.issuer,
        algorithms: ["RS256"],
        currentDate: this.clock.date(),
      }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "ERR_JWT_EXPIRED")
        throw new Error("the access token has expired; get a new one from the token endpoint", { cause: err });
      if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED")
        throw new Error(`the access token was not issued by ${this.urls.issuer}`, { cause: err });
      throw new Error("the access token is not a token issued by this Maskinporten (bad format or signature)", { cause: err });
    }
    if (!isAccessTokenClaims(payload)) throw new Error("the access token lacks Maskinporten's claims (client_id, scope, consumer)");
    return payload;
  }
}
