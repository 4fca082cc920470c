import {
  ApiError,
  AuthError,
  MaskinportenError,
  NetworkError,
  apiErrorFrom,
  authErrorFrom,
  type ErrorResponse,
} from "../../provider/api/errors";

const res = (status: number, body: unknown, extra: Partial<ErrorResponse> = {}): ErrorResponse => ({
  status,
  body,
  method: "PUT",
  url: "https://api.test.samarbeid.digdir.no/api/v1/clients/abc",
  ...extra,
});

describe("apiErrorFrom", () => {
  test("400 names each field and its message", () => {
    const err = apiErrorFrom(
      res(400, {
        status: 400,
        correlation_id: "c-1",
        errors: [
          { errorMessage: "must not be empty", isFieldError: true, objectName: "Client", fieldIdentifier: "scopes" },
          { errorMessage: "must be at most 255 characters", isFieldError: true, fieldIdentifier: "client_name" },
          { errorMessage: "request is inconsistent", isFieldError: false },
        ],
      }),
      { operation: "update client" },
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toBeInstanceOf(MaskinportenError);
    expect(err).toMatchObject({
      code: "API_BAD_REQUEST",
      status: 400,
      correlationId: "c-1",
      operation: "update client",
      method: "PUT",
      path: "/api/v1/clients/abc",
      name: "ApiError",
    });
    expect(err.fieldErrors).toEqual([
      { field: "scopes", message: "must not be empty" },
      { field: "client_name", message: "must be at most 255 characters" },
      { field: "", message: "request is inconsistent" },
    ]);
    expect(err.message).toBe(
      "update client failed (HTTP 400, PUT /api/v1/clients/abc): the API rejected 2 fields: " +
        "scopes: must not be empty; client_name: must be at most 255 characters; request is inconsistent. " +
        "Fix the values and run again. [correlation id: c-1]",
    );
  });

  test("400 without field errors uses the description", () => {
    const err = apiErrorFrom(res(400, { status: 400, error_description: "Invalid org number 123" }), {
      operation: "grant scope",
    });
    expect(err.message).toMatch(/the API rejected the request as invalid: Invalid org number 123\. Fix the input/);
  });

  test("401: the token was rejected", () => {
    const err = apiErrorFrom(res(401, { status: 401, error: "invalid_token" }), { operation: "read client" });
    expect(err.code).toBe("API_UNAUTHORIZED");
    expect(err.message).toMatch(/rejected the access token \(expired, revoked, or issued for another environment\)/);
  });

  describe("403", () => {
    test("names the missing scope when the body does", () => {
      const err = apiErrorFrom(res(403, { status: 403, error_description: "Missing required scope idporten:scopes.write" }), {
        operation: "create scope",
      });
      expect(err.code).toBe("API_FORBIDDEN");
      expect(err.message).toMatch(
        /the admin client lacks scope idporten:scopes.write: ask Digdir \(servicedesk@digdir.no\) to add it to your self-service client/,
      );
    });

    test("names the required scope when the body only says it is about scopes", () => {
      const err = apiErrorFrom(res(403, { status: 403, error: "insufficient_scope" }), {
        operation: "create client",
        requiredScope: "idporten:dcr.write",
      });
      expect(err.message).toMatch(/lacks scope idporten:dcr.write: ask Digdir/);
      expect(err.message).not.toMatch(/another organisation/);
    });

    test("names the owning organisation", () => {
      const err = apiErrorFrom(res(403, { status: 403, error_description: "Client belongs to organization 991825827" }), {
        operation: "update client",
        resource: 'client "abc"',
        requiredScope: "idporten:dcr.write",
      });
      expect(err.message).toMatch(/client "abc" belongs to organisation 991825827, not to the admin client's organisation/);
      expect(err.message).toMatch(/idporten:dcr.supplier/);
    });

    test("a scope of another organisation is explained as theirs, not as a missing admin scope", () => {
      const err = apiErrorFrom(
        res(403, {
          status: 403,
          error: "access_denied",
          error_description: "scope difitest:open belongs to organisation 991825827 (Digdir), not to yours (312000008)",
        }),
        { operation: "grant access", resource: 'scope "difitest:open"', requiredScope: "idporten:scopes.write" },
      );
      expect(err.message).toMatch(
        /^grant access failed \(HTTP 403, PUT \/api\/v1\/clients\/abc\): scope "difitest:open" belongs to organisation 991825827, not to the admin client's organisation/,
      );
      expect(err.message).not.toMatch(/lacks scope/);
      expect(err.message).not.toMatch(/idporten:dcr.supplier/);
    });

    test("an unowned prefix is explained as not assigned, never naming the caller's own organisation as its owner", () => {
      const err = apiErrorFrom(
        res(403, {
          status: 403,
          error: "access_denied",
          error_description:
            'prefix "nope" is not assigned to your organisation (312000008); Digdir assigns prefixes (GET /prefix lists yours)',
        }),
        { operation: "create scope", resource: 'scope "nope:read"', requiredScope: "idporten:scopes.write" },
      );
      expect(err.message).toMatch(
        /the scope's prefix is not assigned to the admin client's organisation\. Use a prefix Digdir assigned to your organisation/,
      );
      expect(err.message).not.toMatch(/belongs to organisation 312000008/);
      expect(err.message).not.toMatch(/lacks scope/);
    });

    test("a prefix of another organisation names that organisation", () => {
      const err = apiErrorFrom(
        res(403, {
          status: 403,
          error_description: 'prefix "difitest" belongs to organisation 991825827 (Digdir), not to yours (312000008)',
        }),
        { operation: "create scope", resource: 'scope "difitest:x"', requiredScope: "idporten:scopes.write" },
      );
      expect(err.message).toMatch(/the scope's prefix belongs to organisation 991825827, not to the admin client's organisation/);
    });

    test("a number that is only the caller's own is not taken for an owner", () => {
      const err = apiErrorFrom(res(403, { status: 403, error_description: "not allowed for your organisation (312000008)" }), {
        operation: "update client",
        resource: 'client "abc"',
        requiredScope: "idporten:dcr.write",
      });
      expect(err.message).toMatch(/lacks scope idporten:dcr.write, or client "abc" belongs to another organisation/);
      expect(err.message).not.toMatch(/belongs to organisation 312000008/);
    });

    test("with only the required scope known, names both causes", () => {
      const err = apiErrorFrom(res(403, ""), { operation: "delete client", requiredScope: "idporten:dcr.write" });
      expect(err.message).toMatch(/lacks scope idporten:dcr.write, or the object belongs to another organisation/);
    });

    test("with nothing known, still says what to check", () => {
      const err = apiErrorFrom(res(403, undefined), { operation: "read client" });
      expect(err.message).toMatch(/lacks the admin scope this operation needs, or the object belongs to another organisation/);
    });
  });

  test("404 names the resource", () => {
    const err = apiErrorFrom(res(404, { status: 404 }), { operation: "read client", resource: 'client "abc"' });
    expect(err.code).toBe("API_NOT_FOUND");
    expect(err.message).toMatch(/client "abc" not found\. If it was deleted outside Pulumi, run `pulumi refresh`/);
  });

  test("409 hints at a deactivated object", () => {
    const err = apiErrorFrom(res(409, { status: 409, error_description: "Scope already exists" }), {
      operation: "create scope",
      resource: 'scope "acme:api"',
    });
    expect(err.code).toBe("API_CONFLICT");
    expect(err.message).toMatch(/scope "acme:api" already exists, probably deactivated/);
    expect(err.message).toMatch(/Digdir said: Scope already exists/);
  });

  test("429 explains the rate limit and why retrying stopped", () => {
    const err = apiErrorFrom(res(429, "", { gaveUp: "The server asked to wait 120 s (Retry-After)" }), {
      operation: "list clients",
    });
    expect(err.message).toMatch(/limiting the request rate\. The server asked to wait 120 s/);
  });

  test("5xx: retry later, with the correlation id", () => {
    const err = apiErrorFrom(res(500, { status: 500, correlation_id: "c-500" }), { operation: "create client" });
    expect(err.code).toBe("API_SERVER_ERROR");
    expect(err.message).toMatch(
      /Digdir's API failed; retry later\. If it keeps failing, contact servicedesk@digdir.no and quote the correlation id c-500\./,
    );
    expect(err.correlationId).toBe("c-500");
  });

  test("an HTML error page is not pasted into the message", () => {
    const err = apiErrorFrom(res(502, "<html><body><h1>502 Bad Gateway</h1></body></html>"), {
      operation: "read client",
    });
    expect(err.message).not.toMatch(/<html>/);
  });

  test("a response header's correlation id wins over none", () => {
    const err = apiErrorFrom(res(500, "oops", { correlationId: "hdr" }), { operation: "x" });
    expect(err.correlationId).toBe("hdr");
    expect(err.message).toMatch(/Digdir said: oops/);
  });

  test("long server text is clipped", () => {
    const err = apiErrorFrom(res(400, { status: 400, error_description: "y".repeat(5000) }), { operation: "x" });
    expect(err.message.length).toBeLessThan(800);
  });
});

describe("authErrorFrom", () => {
  it("shows Maskinporten's MP code (error_uri) and trace id (in error_description) as it answers in production", () => {
    const err = authErrorFrom({
      status: 400,
      body: {
        error: "invalid_grant",
        error_description: "Unknown key identifier (kid) for client. (trace_id: 7f3c2a9e1b)",
        error_uri: "https://docs.digdir.no/docs/Maskinporten/maskinporten_errors/errors/MP-121",
      },
    });
    expect(err).toMatchObject({ mpCode: "MP-121", traceId: "7f3c2a9e1b", oauthError: "invalid_grant" });
    expect(err.message).toContain("Unknown key identifier (kid) for client.");
    expect(err.message).toContain("[Maskinporten MP-121, trace id 7f3c2a9e1b]");
  });

  it("says nothing of an MP code or trace id when the answer has none", () => {
    const err = authErrorFrom({ status: 400, body: { error: "invalid_scope", error_uri: "https://example.invalid/help" } });
    expect(err).toMatchObject({ mpCode: undefined, traceId: undefined });
    expect(err.message).not.toContain("Maskinporten MP");
  });

  test("invalid_client names the config key and the fix", () => {
    const err = authErrorFrom({ status: 400, body: { error: "invalid_client", error_description: "Unknown client" } });
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ code: "AUTH_INVALID_CLIENT", oauthError: "invalid_client", description: "Unknown client", status: 400 });
    expect(err.message).toBe(
      "the token endpoint rejected the client's JWT grant (invalid_client): Unknown client. " +
        "Check that maskinporten:clientId is the admin client's id and its key (kid) or business certificate is registered on it.",
    );
  });

  test("invalid_grant points at clock, kid and audience", () => {
    const err = authErrorFrom({ status: 400, body: { error: "invalid_grant", error_description: "Invalid assertion" } });
    expect(err.message).toMatch(/\(invalid_grant\): Invalid assertion\. Check that this machine's clock/);
    expect(err.message).toMatch(/up to 2 minutes/);
  });

  test("invalid_scope", () => {
    const err = authErrorFrom({ status: 400, body: { error: "invalid_scope" } });
    expect(err.message).toMatch(/refused the requested scopes \(invalid_scope\)\. Request only scopes the client has/);
  });

  test("a custom config key", () => {
    const err = authErrorFrom({ status: 401, body: { error: "unauthorized_client" } }, { clientIdField: "MASKINPORTEN_CLIENT_ID" });
    expect(err.message).toMatch(/Check that MASKINPORTEN_CLIENT_ID names a Maskinporten client/);
  });

  test("unknown OAuth error", () => {
    expect(authErrorFrom({ status: 400, body: { error: "weird" } }).message).toBe("the token endpoint refused to issue a token (weird).");
  });

  test("a body that is not an OAuth error", () => {
    const err = authErrorFrom({ status: 503, body: "Service Unavailable", correlationId: "c-9" });
    expect(err.code).toBe("AUTH_FAILED");
    expect(err.message).toBe(
      "the token endpoint answered HTTP 503 without an OAuth error. Maskinporten's token endpoint failed; retry later. " +
        "It said: Service Unavailable. [correlation id: c-9]",
    );
  });
});

describe("NetworkError", () => {
  test("message names the operation, the request, the attempts and what to do", () => {
    const err = new NetworkError({
      code: "CONNECTION_LOST",
      operation: "create client",
      attempts: 1,
      outcomeUnknown: true,
      method: "POST",
      path: "/api/v1/clients",
      detail: "ECONNRESET",
    });
    expect(err.message).toBe(
      "create client (POST /api/v1/clients) failed after 1 attempt: the connection broke before a complete response " +
        "arrived (ECONNRESET). The request may have reached the server: its outcome is unknown, so look up whether " +
        "it took effect before sending it again.",
    );
    expect(err).toMatchObject({ code: "CONNECTION_LOST", attempts: 1, outcomeUnknown: true, name: "NetworkError" });
  });

  test("a known outcome says nothing about lookups", () => {
    const err = new NetworkError({ code: "TLS_FAILURE", operation: "list clients", attempts: 1, outcomeUnknown: false });
    expect(err.message).toMatch(/TLS handshake failed; check the URL, the system's CA certificates/);
    expect(err.message).not.toMatch(/outcome/);
  });
});
