/**
 * Load generator for the simulator's throughput, run by `npm run bench` in its own process so it does not
 * share an event loop with the simulator. Reads one JSON argument:
 *
 *   { target: "token" | "get", tokenEndpoint, issuer, clientId, privateJwk, scope, url?, connections, durationMs }
 *
 * `token`: POST the token endpoint with a JWT grant (RS256, signed by this process; without `jti`, so one grant
 * signed every 2 s serves all requests, and the measured cost is the simulator's: verify, issue, sign).
 * `get`: GET `url` with an access token fetched once. `connections` loops, each on its own keep-alive
 * connection, send back to back for `durationMs`. Prints `{ requests, ok, seconds, rps, p50Ms, p99Ms }`.
 */
"use strict";

const { createPrivateKey, sign } = require("node:crypto");
const { Pool } = require("undici");

const GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";

function base64url(value) {
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

function grantSigner(options) {
  const key = createPrivateKey({ key: options.privateJwk, format: "jwk" });
  let grant;
  let signedAt = 0;
  return () => {
    const now = Math.floor(Date.now() / 1000);
    if (now - signedAt >= 2) {
      const header = base64url({ alg: "RS256", kid: options.privateJwk.kid, typ: "JWT" });
      const claims = base64url({ aud: options.issuer, iss: options.clientId, scope: options.scope, iat: now, exp: now + 60 });
      const signature = sign("sha256", Buffer.from(`${header}.${claims}`), key).toString("base64url");
      grant = new URLSearchParams({ grant_type: GRANT_TYPE, assertion: `${header}.${claims}.${signature}` }).toString();
      signedAt = now;
    }
    return grant;
  };
}

async function send(pool, request) {
  const response = await pool.request(request);
  const body = await response.body.text();
  return { status: response.statusCode, body };
}

async function main() {
  const options = JSON.parse(process.argv[2]);
  const tokenUrl = new URL(options.tokenEndpoint);
  const pool = new Pool(tokenUrl.origin, { connections: options.connections, pipelining: 1 });
  const grant = grantSigner(options);
  const tokenRequest = () => ({
    method: "POST",
    path: tokenUrl.pathname,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: grant(),
  });

  let request = tokenRequest;
  if (options.target === "get") {
    const { status, body } = await send(pool, tokenRequest());
    if (status !== 200) throw new Error(`token request failed with ${status}: ${body}`);
    const accessToken = JSON.parse(body).access_token;
    const url = new URL(options.url);
    request = () => ({ method: "GET", path: `${url.pathname}${url.search}`, headers: { authorization: `Bearer ${accessToken}` } });
  }

  const latencies = [];
  let ok = 0;
  const started = performance.now();
  const until = started + options.durationMs;
  const loop = async () => {
    while (performance.now() < until) {
      const sent = performance.now();
      const { status } = await send(pool, request());
      latencies.push(performance.now() - sent);
      if (status === 200) ok++;
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (q) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 100) / 100;
  process.stdout.write(
    JSON.stringify({
      requests: latencies.length,
      ok,
      seconds: Math.round(seconds * 100) / 100,
      rps: Math.round(latencies.length / seconds),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
    }),
  );
}

main().catch((err) => {
  process.stderr.write(`bench-loadgen: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
