/**
 * Every credential form gets a token from the simulator and works against the API; a rejected credential
 * sends no request at all.
 */
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "../../../provider/api/connection";
import { loadPrivateKey } from "../../../provider/keys/private-key";
import { metadataSource, TokenSource } from "../../../provider/api/token";
import { HttpTransport } from "../../../provider/api/http";
import { loadCredential, type CredentialSpec } from "../../../provider/api/credentials";
import { MASKINPORTEN_INTEGRATION_TYPE, JWT_BEARER_GRANT } from "../../../provider/api/wire";
import { OPEN_CATALOGUE_SCOPE, type SimulatorOrg } from "../../../simulator";
import { FAST_RETRIES, simulatorEndpoints } from "../../helpers/api";
import { useSimulator } from "../../simulator/helpers";

const sim = useSimulator();
const consumer = (): SimulatorOrg => sim().orgs[1]!;

async function listsClientsWith(credential: CredentialSpec): Promise<void> {
  const conn = connect({ endpoints: simulatorEndpoints(sim()), credential, transport: FAST_RETRIES });
  try {
    await expect(conn.api.listClients()).resolves.toEqual(expect.any(Array));
  } finally {
    await conn.close();
  }
}

describe("admin credentials", () => {
  it("a private JWK as JSON", async () => {
    await listsClientsWith({ clientId: consumer().adminClientId, privateKey: JSON.stringify(consumer().adminKey) });
  });

  it("a base64-encoded JWK, as altinn-jwks exports it for a vault", async () => {
    const base64 = Buffer.from(JSON.stringify(consumer().adminKey)).toString("base64");
    await listsClientsWith({ clientId: consumer().adminClientId, privateKey: base64 });
  });

  it("a PEM private key with its kid", async () => {
    const pem = createPrivateKey({ key: consumer().adminKey as never, format: "jwk" }).export({ format: "pem", type: "pkcs8" }) as string;
    await listsClientsWith({ clientId: consumer().adminClientId, privateKey: pem, kid: consumer().adminKey.kid });
  });

  it("a business certificate from the simulator's test CA, as PKCS#12 and as PEM (x5c)", async () => {
    // The brreg guide's flow: a self-service client without keys that authenticates with its certificate.
    const org = await sim().control.addOrganisation({ orgno: "312345676", name: "Sertifikat AS" });
    await sim().control.portal(org.orgno).deleteAllKeys(org.adminClientId);
    const cert = await sim().ca.issueBusinessCertificate(org.orgno);
    await listsClientsWith({ clientId: org.adminClientId, p12: cert.p12Base64, p12Password: cert.password });
    await listsClientsWith({ clientId: org.adminClientId, certificatePem: cert.chainPem, certificateKeyPem: cert.privateKeyPem });
  });
});

describe("a consumer's client key", () => {
  it("the altinn-jwks base64 example from Digdir's guide gets a token once its public half is registered", async () => {
    const base64 = readFileSync(join(__dirname, "../../fixtures/altinn-jwks-testklient.base64"), "utf8").trim();
    const { publicJwk } = await loadPrivateKey(base64, { field: "key" });
    const portal = sim().control.portal(consumer().orgno);
    const client = await portal.createClient({
      client_name: "altinn-jwks example",
      integration_type: MASKINPORTEN_INTEGRATION_TYPE,
      application_type: "web",
      token_endpoint_auth_method: "private_key_jwt",
      grant_types: [JWT_BEARER_GRANT],
      scopes: [OPEN_CATALOGUE_SCOPE],
    });
    await portal.replaceKeys(client.client_id, [{ ...publicJwk }]);

    const transport = new HttpTransport(FAST_RETRIES);
    const tokens = new TokenSource({
      transport,
      metadata: metadataSource(transport, sim().issuer),
      credential: () => loadCredential({ clientId: client.client_id, privateKey: base64 }),
      scopes: [OPEN_CATALOGUE_SCOPE],
    });
    const token = await tokens.token();
    expect(token.scope).toBe(OPEN_CATALOGUE_SCOPE);
    const claims = JSON.parse(Buffer.from(token.accessToken.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({
      client_id: client.client_id,
      scope: OPEN_CATALOGUE_SCOPE,
      consumer: { ID: `0192:${consumer().orgno}` },
    });
    await transport.close();
  });
});

describe("rejected credentials send nothing", () => {
  const cases: [string, () => CredentialSpec][] = [
    [
      "a public key where a private one is needed",
      () => ({ clientId: "x", privateKey: JSON.stringify({ kty: "RSA", n: consumer().adminKey.n, e: "AQAB", kid: "k" }) }),
    ],
    ["no credential at all", () => ({ clientId: "x" })],
    [
      "a PEM key without kid",
      () => ({
        clientId: "x",
        privateKey: createPrivateKey({ key: consumer().adminKey as never, format: "jwk" }).export({
          format: "pem",
          type: "pkcs8",
        }) as string,
      }),
    ],
    ["a wrong PKCS#12 password", () => ({ clientId: "x", p12: "MIIB", p12Password: "wrong" })],
  ];
  it.each(cases)("%s", async (_name, spec) => {
    await sim().control.resetRequests();
    const conn = connect({ endpoints: simulatorEndpoints(sim()), credential: spec(), transport: FAST_RETRIES });
    await expect(conn.api.listClients()).rejects.toThrow(/maskinporten:/);
    expect((await sim().control.counters()).total).toBe(0);
    await conn.close();
  });

  it("an expired business certificate", async () => {
    const org = await sim().control.addOrganisation({ orgno: "312345684", name: "Utløpt AS" });
    const cert = await sim().ca.issueBusinessCertificate(org.orgno, {
      notBefore: new Date(Date.now() - 400 * 86400_000),
      notAfter: new Date(Date.now() - 86400_000),
    });
    await sim().control.resetRequests();
    const conn = connect({
      endpoints: simulatorEndpoints(sim()),
      credential: { clientId: org.adminClientId, p12: cert.p12Base64, p12Password: cert.password },
      transport: FAST_RETRIES,
    });
    const err = await conn.api.listClients().catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/expired/);
    expect((err as Error).message).not.toContain(cert.password);
    expect((await sim().control.counters()).total).toBe(0);
    await conn.close();
  });
});
