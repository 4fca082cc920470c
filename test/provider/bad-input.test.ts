/**
 * Bad input across the four resources and the provider configuration, one table row each, run as the engine
 * runs the provider: `check` (and `create` for what only shows once a credential is used or the client's
 * keys are read). Every row must be rejected with a message naming the field (the property, or the config
 * key), reach the simulator with no write (and, but for the rows that must read, no request at all), and hold
 * no secret: no 16-character slice of a private key, a PKCS#12 password or an access token.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { inspect } from "node:util";
import { resetRuntime } from "../../provider/runtime";
import { implementation } from "../../provider";
import { OPEN_CATALOGUE_SCOPE, type BusinessCertificate } from "../../simulator";
import { configureProvider, simulatorConfig, type ConfigValues, PROVIDER, type Props } from "../helpers/provider";
import { secretSlices } from "../helpers/rejections";
import { useSimulator } from "../simulator/helpers";

const sim = useSimulator();
const DAY_MS = 24 * 60 * 60 * 1000;

type Resource = "Client" | "ClientKey" | "RotatingClientKey" | "Scope" | "ScopeGrant";

/** What the rows are made of, once the simulator runs. */
interface Fixtures {
  /** The stack config of a working setup: the simulator, the owner's credential as default, profile "consumer". */
  config: ConfigValues;
  ownerOrgno: string;
  publicJwk: Props;
  privateJwk: Props;
  privatePem: string;
  rsa1024PublicJwk: Props;
  ecPublicPem: string;
  validP12: BusinessCertificate;
  expiredP12: BusinessCertificate;
  /** A client of the owner with five keys registered. */
  fullClientId: string;
  /** Secrets no message may hold: private key material of every key above and the admin keys, the p12 passwords. */
  secrets: string[];
}

interface Row {
  resource: Resource;
  /** The field the message must name: the failure's property, or text in the thrown error's message. */
  field: string;
  inputs: (f: Fixtures) => Props;
  olds?: (f: Fixtures) => Props;
  /** Stack config of the row; the working one by default. */
  config?: (f: Fixtures) => ConfigValues;
  /** `create` when the problem can only show there (a credential is loaded on first use; the key limit needs a read). */
  stage?: "check" | "create";
  /** The row must read (the client's keys) to find the problem; writes stay at zero. */
  reads?: boolean;
}

const client = (overrides: Props = {}): Props => ({ clientName: "bad-input", scopes: [OPEN_CATALOGUE_SCOPE], ...overrides });
const scope = (overrides: Props = {}): Props => ({ prefix: "eksempel", subscope: "badinput.read", description: "Bad input", ...overrides });
const grant = (overrides: Props = {}): Props => ({ scope: "eksempel:badinput.read", consumerOrgno: "312000008", ...overrides });
const key = (f: Fixtures, overrides: Props = {}): Props => ({ clientId: "a-client", publicKey: f.publicJwk, ...overrides });
const rotating = (overrides: Props = {}): Props => ({ clientId: "a-client", rotateAfterDays: 90, ...overrides });
/** The fixture's public JWK with `n` made even: no product of two odd primes. */
const evenModulus = (jwk: Props): Props => {
  const n = Buffer.from(jwk["n"] as string, "base64url");
  n[n.length - 1]! &= 0xfe;
  return { ...jwk, n: n.toString("base64url") };
};
/** Beyond Number.MAX_SAFE_INTEGER: JSON and the API would round it. */
const UNSAFE_INTEGER = 2 ** 53 + 2;
/** Ids that would send a request to another path of the API: `/clients/..` is `/`. */
const PATH_ESCAPES = [".", "..", "a/b", "../scopes", "a?b", "a#b", "a%2Fb", "a b", "a\tb", "a\\b"];
const withConfig = (change: ConfigValues) => (f: Fixtures) => ({ ...f.config, ...change });
/** The default credential replaced by `credential` (clientId, privateKey, p12, ... without the prefix). */
const credential = (credentialSettings: ConfigValues) => (f: Fixtures) => {
  const config: ConfigValues = { ...f.config, "maskinporten:clientId": undefined, "maskinporten:privateKey": undefined };
  for (const [k, v] of Object.entries(credentialSettings)) config[`maskinporten:${k}`] = v;
  return config;
};

const ROWS: [string, Row][] = [
  // ---- Client --------------------------------------------------------------------------------------------
  ["Client without clientName", { resource: "Client", field: "clientName", inputs: () => client({ clientName: undefined }) }],
  ["Client with a blank clientName", { resource: "Client", field: "clientName", inputs: () => client({ clientName: "  " }) }],
  ["Client without scopes", { resource: "Client", field: "scopes", inputs: () => client({ scopes: [] }) }],
  [
    "Client with a scope without prefix",
    { resource: "Client", field: "scopes[1]", inputs: () => client({ scopes: [OPEN_CATALOGUE_SCOPE, "instances.read"] }) },
  ],
  [
    "Client with an upper-case scope prefix",
    { resource: "Client", field: "scopes[0]", inputs: () => client({ scopes: ["Eksempel:read"] }) },
  ],
  ["Client with a scope that is not a string", { resource: "Client", field: "scopes[0]", inputs: () => client({ scopes: [42] }) }],
  [
    "Client whose clientOrgno fails the check digit",
    { resource: "Client", field: "clientOrgno", inputs: () => client({ clientOrgno: "311000005" }) },
  ],
  [
    "Client with an eight-digit clientOrgno",
    { resource: "Client", field: "clientOrgno", inputs: () => client({ clientOrgno: "31100000" }) },
  ],
  [
    "Client with accessTokenLifetime 0",
    { resource: "Client", field: "accessTokenLifetime", inputs: () => client({ accessTokenLifetime: 0 }) },
  ],
  [
    "Client with a fractional authorizationLifetime",
    { resource: "Client", field: "authorizationLifetime", inputs: () => client({ authorizationLifetime: 1.5 }) },
  ],
  [
    "Client with an accessTokenLifetime of 1e308",
    { resource: "Client", field: "accessTokenLifetime", inputs: () => client({ accessTokenLifetime: 1e308 }) },
  ],
  [
    "Client with an accessTokenLifetime of 2^53+2",
    { resource: "Client", field: "accessTokenLifetime", inputs: () => client({ accessTokenLifetime: UNSAFE_INTEGER }) },
  ],
  [
    "Client with an authorizationLifetime over a year",
    { resource: "Client", field: "authorizationLifetime", inputs: () => client({ authorizationLifetime: 367 * 24 * 3600 }) },
  ],
  ...PATH_ESCAPES.filter((id) => /^[A-Za-z0-9._:-]+$/.test(id)).map((id): [string, Row] => [
    `Client adopting the client_id ${JSON.stringify(id)}`,
    { resource: "Client", field: "adoptClientId", inputs: () => client({ adoptClientId: id }) },
  ]),
  [
    "Client with a private PEM key as description",
    { resource: "Client", field: "description", inputs: (f) => client({ description: f.privatePem }) },
  ],
  [
    "Client with a base64 private JWK as clientName",
    {
      resource: "Client",
      field: "clientName",
      inputs: (f) => client({ clientName: Buffer.from(JSON.stringify(f.privateJwk)).toString("base64") }),
    },
  ],
  ["Client with a blank description", { resource: "Client", field: "description", inputs: () => client({ description: "" }) }],
  ["Client with active as text", { resource: "Client", field: "active", inputs: () => client({ active: "yes" }) }],
  [
    "Client with a misspelt input (scope for scopes)",
    { resource: "Client", field: "scope", inputs: () => ({ clientName: "x", scopes: [OPEN_CATALOGUE_SCOPE], scope: ["a:b"] }) },
  ],
  [
    "Client adopting a client_id with spaces",
    { resource: "Client", field: "adoptClientId", inputs: () => client({ adoptClientId: "not an id" }) },
  ],
  ["Client with a profile name with a space", { resource: "Client", field: "profile", inputs: () => client({ profile: "the owner" }) }],
  ["Client with a profile missing from the config", { resource: "Client", field: "profile", inputs: () => client({ profile: "prod" }) }],

  // ---- Scope ---------------------------------------------------------------------------------------------
  ["Scope with an upper-case prefix", { resource: "Scope", field: "prefix", inputs: () => scope({ prefix: "Eksempel" }) }],
  ["Scope with the prefix written as a scope name", { resource: "Scope", field: "prefix", inputs: () => scope({ prefix: "eksempel:" }) }],
  ["Scope with a space in the subscope", { resource: "Scope", field: "subscope", inputs: () => scope({ subscope: "instances read" }) }],
  ["Scope with a subscope ending in a dot", { resource: "Scope", field: "subscope", inputs: () => scope({ subscope: "instances." }) }],
  ["Scope without description", { resource: "Scope", field: "description", inputs: () => scope({ description: undefined }) }],
  ["Scope with an unknown visibility", { resource: "Scope", field: "visibility", inputs: () => scope({ visibility: "SECRET" }) }],
  [
    "Scope allowing no integration type",
    { resource: "Scope", field: "allowedIntegrationTypes", inputs: () => scope({ allowedIntegrationTypes: [] }) },
  ],
  [
    "Scope allowing an unknown integration type",
    { resource: "Scope", field: "allowedIntegrationTypes[0]", inputs: () => scope({ allowedIntegrationTypes: ["idporten-login"] }) },
  ],
  ["Scope with an unknown token type", { resource: "Scope", field: "tokenType", inputs: () => scope({ tokenType: "JWT" }) }],
  ["Scope with atMaxAge 0", { resource: "Scope", field: "atMaxAge", inputs: () => scope({ atMaxAge: 0 }) }],
  ["Scope with an atMaxAge of 1e308", { resource: "Scope", field: "atMaxAge", inputs: () => scope({ atMaxAge: 1e308 }) }],
  [
    "Scope with an authorizationMaxLifetime of 2^53+2",
    { resource: "Scope", field: "authorizationMaxLifetime", inputs: () => scope({ authorizationMaxLifetime: UNSAFE_INTEGER }) },
  ],
  [
    "Scope with a private JWK as JSON text in longDescription",
    { resource: "Scope", field: "longDescription", inputs: (f) => scope({ longDescription: `key: ${JSON.stringify(f.privateJwk)}` }) },
  ],
  ["Scope with a misspelt input", { resource: "Scope", field: "descripton", inputs: () => scope({ descripton: "typo" }) }],

  // ---- ScopeGrant ----------------------------------------------------------------------------------------
  [
    "ScopeGrant to an orgno failing the check digit",
    { resource: "ScopeGrant", field: "consumerOrgno", inputs: () => grant({ consumerOrgno: "312000009" }) },
  ],
  [
    "ScopeGrant to an orgno with spaces",
    { resource: "ScopeGrant", field: "consumerOrgno", inputs: () => grant({ consumerOrgno: "312 000 008" }) },
  ],
  ["ScopeGrant of a scope without prefix", { resource: "ScopeGrant", field: "scope", inputs: () => grant({ scope: "badinput.read" }) }],
  [
    "ScopeGrant with a misspelt input (consumerOrgNo)",
    { resource: "ScopeGrant", field: "consumerOrgNo", inputs: () => grant({ consumerOrgNo: "312000008" }) },
  ],
  ["ScopeGrant without scope", { resource: "ScopeGrant", field: "scope", inputs: () => grant({ scope: undefined }) }],

  // ---- ClientKey -----------------------------------------------------------------------------------------
  [
    "ClientKey with a 1024-bit key",
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: f.rsa1024PublicJwk }) },
  ],
  [
    "ClientKey given a private JWK as publicKey",
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: f.privateJwk }) },
  ],
  [
    "ClientKey given a private JWK as JSON text as publicKey",
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: JSON.stringify(f.privateJwk) }) },
  ],
  [
    "ClientKey given a base64 private JWK as publicKey",
    {
      resource: "ClientKey",
      field: "publicKey",
      inputs: (f) => key(f, { publicKey: Buffer.from(JSON.stringify(f.privateJwk)).toString("base64") }),
    },
  ],
  [
    "ClientKey given a private JWK in an array as publicKey",
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: [f.privateJwk] }) },
  ],
  [
    "ClientKey given a private JWKS as publicKey",
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: { keys: [f.privateJwk] } }) },
  ],
  ["ClientKey given a private PEM as kid", { resource: "ClientKey", field: "kid", inputs: (f) => key(f, { kid: f.privatePem }) }],
  [
    "ClientKey given a private PEM as publicKey",
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: f.privatePem }) },
  ],
  ["ClientKey with an EC key", { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: f.ecPublicPem }) }],
  [
    "ClientKey with text that is no key",
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: "ssh-rsa AAAA not a key" }) },
  ],
  ['ClientKey with the kid ".."', { resource: "ClientKey", field: "kid", inputs: (f) => key(f, { kid: ".." }) }],
  [
    'ClientKey with a JWK whose kid is "."',
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: { ...f.publicJwk, kid: "." } }) },
  ],
  ["ClientKey with a kid with spaces", { resource: "ClientKey", field: "kid", inputs: (f) => key(f, { kid: "my key 2026" }) }],
  [
    "ClientKey expiring more than a year ahead",
    { resource: "ClientKey", field: "expiresAt", inputs: (f) => key(f, { expiresAt: new Date(Date.now() + 400 * DAY_MS).toISOString() }) },
  ],
  [
    "ClientKey expiring in the past",
    { resource: "ClientKey", field: "expiresAt", inputs: (f) => key(f, { expiresAt: "2020-01-01T00:00:00Z" }) },
  ],
  [
    "ClientKey with an expiry that is no time",
    { resource: "ClientKey", field: "expiresAt", inputs: (f) => key(f, { expiresAt: "next year" }) },
  ],
  [
    "ClientKey with a JWK exp of 1e300",
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: { ...f.publicJwk, exp: 1e300 } }) },
  ],
  [
    "ClientKey with a JWK exp of 2^53+2",
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: { ...f.publicJwk, exp: UNSAFE_INTEGER } }) },
  ],
  [
    "ClientKey with a JWK whose exponent is 0 (e=AA)",
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: { ...f.publicJwk, e: "AA" } }) },
  ],
  [
    "ClientKey with a JWK whose exponent is 1",
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: { ...f.publicJwk, e: "AQ" } }) },
  ],
  [
    "ClientKey with a JWK whose exponent is even",
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: { ...f.publicJwk, e: "AQAA" } }) },
  ],
  [
    "ClientKey with a JWK whose modulus is even",
    { resource: "ClientKey", field: "publicKey", inputs: (f) => key(f, { publicKey: evenModulus(f.publicJwk) }) },
  ],
  ...PATH_ESCAPES.map((id): [string, Row] => [
    `ClientKey for the clientId ${JSON.stringify(id)}`,
    { resource: "ClientKey", field: "clientId", inputs: (f) => key(f, { clientId: id }) },
  ]),
  ["ClientKey without clientId", { resource: "ClientKey", field: "clientId", inputs: (f) => key(f, { clientId: undefined }) }],
  [
    "ClientKey with neither publicKey nor generate",
    { resource: "ClientKey", field: "publicKey", inputs: () => ({ clientId: "a-client" }) },
  ],
  ["ClientKey with both publicKey and generate", { resource: "ClientKey", field: "generate", inputs: (f) => key(f, { generate: {} }) }],
  [
    "ClientKey generating a 1024-bit key",
    { resource: "ClientKey", field: "generate.modulusLength", inputs: () => ({ clientId: "a-client", generate: { modulusLength: 1024 } }) },
  ],
  [
    "ClientKey rotating a given public key",
    { resource: "ClientKey", field: "rotateAfterDays", inputs: (f) => key(f, { rotateAfterDays: 300 }) },
  ],
  [
    "ClientKey with a misspelt input (publickey)",
    { resource: "ClientKey", field: "publickey", inputs: (f) => ({ clientId: "a-client", publickey: f.publicJwk, generate: {} }) },
  ],
  [
    "ClientKey with new key material under the kid of the key it replaces",
    {
      resource: "ClientKey",
      field: "kid",
      olds: () => ({ clientId: "a-client", kid: "app-2026", thumbprint: "an-older-keys-thumbprint" }),
      inputs: (f) => key(f, { kid: "app-2026" }),
    },
  ],
  [
    "ClientKey that would be a client's sixth key",
    { resource: "ClientKey", field: "clientId", stage: "create", reads: true, inputs: (f) => key(f, { clientId: f.fullClientId }) },
  ],

  // ---- RotatingClientKey ---------------------------------------------------------------------------------
  ...PATH_ESCAPES.map((id): [string, Row] => [
    `RotatingClientKey for the clientId ${JSON.stringify(id)}`,
    { resource: "RotatingClientKey", field: "clientId", inputs: () => rotating({ clientId: id }) },
  ]),

  // ---- provider configuration ----------------------------------------------------------------------------
  [
    "config: an unknown environment",
    {
      resource: "Client",
      field: "maskinporten:environment",
      inputs: () => client(),
      config: withConfig({ "maskinporten:environment": "staging", "maskinporten:issuer": undefined, "maskinporten:apiBaseUrl": undefined }),
    },
  ],
  [
    "config: an http issuer on another host",
    {
      resource: "Client",
      field: "maskinporten:issuer",
      inputs: () => client(),
      config: withConfig({ "maskinporten:issuer": "http://maskinporten.example.com/" }),
    },
  ],
  [
    "config: an API URL with a password in it",
    {
      resource: "Client",
      field: "maskinporten:apiBaseUrl",
      inputs: () => client(),
      config: withConfig({ "maskinporten:apiBaseUrl": "https://admin:hunter2hunter2hunter2@api.example.com/api/v1" }),
    },
  ],
  [
    "config: an issuer without apiBaseUrl",
    {
      resource: "Client",
      field: "maskinporten:apiBaseUrl",
      inputs: () => client(),
      config: withConfig({ "maskinporten:apiBaseUrl": undefined }),
    },
  ],
  [
    "config: maxConcurrency 0",
    {
      resource: "Client",
      field: "maskinporten:maxConcurrency",
      inputs: () => client(),
      config: withConfig({ "maskinporten:maxConcurrency": "0" }),
    },
  ],
  [
    "config: maxConcurrency 2^53+2",
    {
      resource: "Client",
      field: "maskinporten:maxConcurrency",
      inputs: () => client(),
      config: withConfig({ "maskinporten:maxConcurrency": String(UNSAFE_INTEGER) }),
    },
  ],
  [
    "config: maxConcurrency 2.5",
    {
      resource: "Client",
      field: "maskinporten:maxConcurrency",
      inputs: () => client(),
      config: withConfig({ "maskinporten:maxConcurrency": "2.5" }),
    },
  ],
  [
    "config: requestTimeoutSeconds 1e308",
    {
      resource: "Client",
      field: "maskinporten:requestTimeoutSeconds",
      inputs: () => client(),
      config: withConfig({ "maskinporten:requestTimeoutSeconds": "1e308" }),
    },
  ],
  [
    "config: requestsPerSecond 1e308",
    {
      resource: "Client",
      field: "maskinporten:requestsPerSecond",
      inputs: () => client(),
      config: withConfig({ "maskinporten:requestsPerSecond": "1e308" }),
    },
  ],
  [
    "config: requestsPerSecond that is no number",
    {
      resource: "Client",
      field: "maskinporten:requestsPerSecond",
      inputs: () => client(),
      config: withConfig({ "maskinporten:requestsPerSecond": "fast" }),
    },
  ],
  [
    "config: profiles that are no JSON",
    {
      resource: "Client",
      field: "maskinporten:profiles",
      inputs: () => client(),
      config: withConfig({ "maskinporten:profiles": "{owner: yes" }),
    },
  ],
  [
    "config: a profile with an unknown setting",
    {
      resource: "Client",
      field: "maskinporten:profiles.consumer.password",
      inputs: () => client(),
      config: withConfig({ "maskinporten:profiles": JSON.stringify({ consumer: { clientId: "c", password: "hunter2hunter2hunter2" } }) }),
    },
  ],
  ["config: no credential at all", { resource: "Client", field: "profile", inputs: () => client(), config: credential({}) }],
  [
    "config: a credential without clientId",
    {
      resource: "Client",
      field: "maskinporten:clientId",
      stage: "create",
      inputs: () => client(),
      config: (f) => credential({ privateKey: JSON.stringify(f.privateJwk) })(f),
    },
  ],
  [
    "config: a public key given as privateKey",
    {
      resource: "Client",
      field: "maskinporten:privateKey",
      stage: "create",
      inputs: () => client(),
      config: (f) => credential({ clientId: "admin", privateKey: JSON.stringify(f.publicJwk) })(f),
    },
  ],
  [
    "config: a PEM privateKey without kid",
    {
      resource: "Client",
      field: "maskinporten:kid",
      stage: "create",
      inputs: () => client(),
      config: (f) => credential({ clientId: "admin", privateKey: f.privatePem })(f),
    },
  ],
  [
    "config: a wrong PKCS#12 password",
    {
      resource: "Client",
      field: "maskinporten:p12Password",
      stage: "create",
      inputs: () => client(),
      config: (f) => credential({ clientId: "admin", p12: f.validP12.p12Base64, p12Password: "not-the-password-at-all" })(f),
    },
  ],
  [
    "config: an expired business certificate",
    {
      resource: "Client",
      field: "maskinporten:p12",
      stage: "create",
      inputs: () => client(),
      config: (f) => credential({ clientId: "admin", p12: f.expiredP12.p12Base64, p12Password: f.expiredP12.password })(f),
    },
  ],
  [
    "config: a PKCS#12 file without its password",
    {
      resource: "Client",
      field: "maskinporten:p12Password",
      stage: "create",
      inputs: () => client(),
      config: (f) => credential({ clientId: "admin", p12: f.validP12.p12Base64 })(f),
    },
  ],
  [
    "config: two credentials at once",
    {
      resource: "Client",
      field: "maskinporten:p12",
      stage: "create",
      inputs: () => client(),
      config: (f) =>
        credential({
          clientId: "admin",
          privateKey: JSON.stringify(f.privateJwk),
          p12: f.validP12.p12Base64,
          p12Password: f.validP12.password,
        })(f),
    },
  ],
];

let fixtures: Fixtures;

beforeAll(async () => {
  const owner = sim().orgs[0]!;
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const rsa1024 = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const privateJwk = { ...(rsa.privateKey.export({ format: "jwk" }) as Props), kid: "bad-input" };
  const privatePem = rsa.privateKey.export({ format: "pem", type: "pkcs8" }) as string;
  const validP12 = await sim().ca.issueBusinessCertificate(owner.orgno, { password: "correct-horse-battery-staple" });
  const expiredP12 = await sim().ca.issueBusinessCertificate(owner.orgno, {
    notBefore: new Date(Date.now() - 400 * DAY_MS),
    notAfter: new Date(Date.now() - DAY_MS),
    password: "expired-certificate-password",
  });
  const portal = sim().control.portal(owner.orgno);
  const full = await portal.createClient({ client_name: "five keys", integration_type: "maskinporten", scopes: [OPEN_CATALOGUE_SCOPE] });
  const five = Array.from({ length: 5 }, (_, i) => ({
    ...publicJwkOf(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey),
    kid: `full-${i}`,
    alg: "RS256",
    use: "sig",
  }));
  await portal.replaceKeys(full.client_id, five as never);
  fixtures = {
    config: simulatorConfig(sim(), owner.orgno, { consumer: sim().orgs[1]!.orgno }),
    ownerOrgno: owner.orgno,
    publicJwk: { ...publicJwkOf(rsa.privateKey), kid: "bad-input" },
    privateJwk,
    privatePem,
    rsa1024PublicJwk: publicJwkOf(rsa1024.privateKey),
    ecPublicPem: ec.publicKey.export({ format: "pem", type: "spki" }) as string,
    validP12,
    expiredP12,
    fullClientId: full.client_id,
    secrets: [
      ...privateParts(privateJwk),
      Buffer.from(JSON.stringify(privateJwk)).toString("base64"),
      privatePem,
      ...privateParts(rsa1024.privateKey.export({ format: "jwk" }) as Props),
      ec.privateKey.export({ format: "pem", type: "pkcs8" }) as string,
      validP12.password,
      validP12.privateKeyPem,
      expiredP12.password,
      expiredP12.privateKeyPem,
      "hunter2hunter2hunter2",
      ...sim().orgs.flatMap((o) => privateParts(o.adminKey as Props)),
    ],
  };
});

afterAll(async () => {
  await resetRuntime();
});

function publicJwkOf(privateKey: KeyObject): Props {
  const { kty, n, e } = createPrivateKey(privateKey.export({ format: "pem", type: "pkcs8" })).export({ format: "jwk" }) as Props;
  return { kty, n, e };
}

function privateParts(jwk: Props): string[] {
  return ["d", "p", "q", "dp", "dq", "qi"].map((k) => jwk[k]).filter((v): v is string => typeof v === "string");
}

type Rejection =
  | { kind: "failures"; failures: { property: string; reason: string }[]; printed: string }
  | { kind: "error"; message: string; printed: string };

/**
 * What the engine prints for check failures (pkg/resource/deploy/step_generator.go, issueCheckFailures): a
 * failure naming a property is printed with that input's value, a failure of the resource without any value.
 */
function engineConsole(failures: { property: string; reason: string }[], inputs: Props): string {
  return failures
    .map(({ property, reason }) =>
      property ? `property ${property} value ${JSON.stringify(inputs[property])} has a problem: ${reason}` : `has a problem: ${reason}`,
    )
    .join("\n");
}

/** Runs the row as the engine would, through the provider's entry point; undefined when nothing rejected it. */
async function rejection(row: Row): Promise<Rejection | undefined> {
  const provider = implementation(row.resource);
  try {
    const inputs = row.inputs(fixtures);
    const checked = await provider.check(row.olds?.(fixtures) ?? {}, { ...inputs, __provider: PROVIDER });
    if (checked.failures?.length) {
      return {
        kind: "failures",
        failures: checked.failures,
        printed: `${engineConsole(checked.failures, inputs)}\n${JSON.stringify(checked.inputs)}`,
      };
    }
    if (row.stage !== "create") return undefined;
    await provider.create(checked.inputs!);
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { kind: "error", message, printed: `${message}\n${inspect(err, { depth: 5 })}` };
  }
}

it("has at least 40 rows", () => {
  expect(ROWS.length).toBeGreaterThanOrEqual(40);
});

it.each(ROWS)("%s: rejected naming the field, with no write and no secret", async (_name, row) => {
  await configureProvider(row.config?.(fixtures) ?? fixtures.config);
  const before = await sim().control.counters();

  const found = await rejection(row);

  expect(found).toBeDefined();
  const { printed } = found!;
  // Counted, not listed, so that a failure of this test does not print the slices either.
  expect(`${fixtures.secrets.flatMap(secretSlices).filter((slice) => printed.includes(slice)).length} secret slices printed`).toBe(
    "0 secret slices printed",
  );
  if (found!.kind === "failures") {
    // No failure names a property (the engine would print its value): each reason starts with the field.
    const named = found!.failures.filter(
      (f) => f.property === "" && (f.reason.startsWith(`${row.field}: `) || f.reason.startsWith(`${row.field}, `)),
    );
    expect({ failures: found!.failures, named: named.length > 0 }).toMatchObject({ named: true });
    expect(found!.failures.filter((f) => f.property !== "")).toEqual([]);
  } else {
    expect(found!.message).toContain(row.field);
  }
  const after = await sim().control.counters();
  expect(after.apiWrites).toBe(before.apiWrites);
  if (!row.reads) expect(after.total).toBe(before.total);
});
