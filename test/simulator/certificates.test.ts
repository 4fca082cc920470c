import { X509Certificate } from "node:crypto";
import * as jose from "jose";
import forge from "node-forge";
import { ChainVerifier, TestCa, createCaMaterial, orgnoFromSubject, serialNumber } from "../../simulator/ca";
import { Clock } from "../../simulator/clock";
import type { BusinessCertificate } from "../../simulator";
import { SimulatorControlError } from "../../simulator";
import { issueCertificate, rsaKey } from "../helpers/certificates";
import { adminApi, api, clientBody, expectOAuthError, requestToken, roles, rsaKeyPair, useSimulator, type ApiCaller } from "./helpers";

/** base64 DER of each certificate in a PEM bundle, leaf first. */
function x5cOf(pem: string): string[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((c) =>
    new X509Certificate(c).raw.toString("base64"),
  );
}

describe("business certificates and x5c authentication", () => {
  const sim = useSimulator();
  let consumerApi: ApiCaller;
  let clientId: string;
  let consumerCert: BusinessCertificate;

  beforeAll(async () => {
    const { consumer } = roles(sim());
    consumerApi = await adminApi(sim(), consumer);
    const created = await consumerApi.post("/clients", clientBody());
    expect(created.status).toBe(200);
    clientId = created.body.client_id;
    consumerCert = await sim().ca.issueBusinessCertificate(consumer.orgno);
  });

  const x5cGrant = (cert: BusinessCertificate, overrides: Record<string, unknown> = {}) =>
    requestToken(sim(), { clientId, x5c: x5cOf(cert.chainPem), privateKeyPem: cert.privateKeyPem, scope: "difitest:open", ...overrides });

  it("issues a certificate carrying the orgno as organizationIdentifier=NTRNO-<orgno>, chained to the simulator CA", () => {
    const { consumer } = roles(sim());
    const leaf = new X509Certificate(consumerCert.certificatePem);
    const ca = new X509Certificate(sim().ca.certificatePem);
    expect(leaf.subject).toContain(`organizationIdentifier=NTRNO-${consumer.orgno}`);
    expect(leaf.subject).toContain(`O=${consumer.name}`);
    expect(leaf.checkIssued(ca) && leaf.verify(ca.publicKey)).toBe(true);
    expect(ca.ca).toBe(true);
    expect(x5cOf(consumerCert.chainPem)).toHaveLength(2);
  });

  it("packs key, certificate and CA into a PKCS#12 file opened by its password, and refuses a wrong password", () => {
    const der = forge.util.decode64(consumerCert.p12Base64);
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), consumerCert.password);
    const certs = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
    const keys = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? [];
    expect(certs).toHaveLength(2);
    expect(keys).toHaveLength(1);
    expect(() => forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), "wrong password")).toThrow();
  });

  it("uses the given password", async () => {
    const cert = await sim().ca.issueBusinessCertificate(roles(sim()).consumer.orgno, { password: "hemmelig" });
    expect(cert.password).toBe("hemmelig");
    expect(() => forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(cert.p12Base64)), "hemmelig")).not.toThrow();
  });

  it("accepts an x5c grant from the organisation that owns the client (chain with and without the CA)", async () => {
    const res = await x5cGrant(consumerCert);
    expect(res.status).toBe(200);
    const claims = jose.decodeJwt(res.body.access_token);
    expect(claims["client_amr"]).toBe("virksomhetssertifikat");
    expect(claims["consumer"]).toEqual({ authority: "iso6523-actorid-upis", ID: `0192:${roles(sim()).consumer.orgno}` });
    const leafOnly = await requestToken(sim(), {
      clientId,
      x5c: x5cOf(consumerCert.certificatePem),
      privateKeyPem: consumerCert.privateKeyPem,
      scope: "difitest:open",
    });
    expect(leafOnly.status).toBe(200);
  });

  it("accepts the older serialNumber=<orgno> subject (SEID 1)", async () => {
    const cert = await sim().control.issueCertificate(roles(sim()).consumer.orgno, { seid: 1 });
    const subject = new X509Certificate(cert.certificatePem).subject;
    expect(subject).toContain(`serialNumber=${roles(sim()).consumer.orgno}`);
    expect(subject).not.toContain("organizationIdentifier");
    expect((await x5cGrant(cert)).status).toBe(200);
  });

  it("rejects a certificate of another organisation", async () => {
    const cert = await sim().ca.issueBusinessCertificate(roles(sim()).owner.orgno);
    expectOAuthError(await x5cGrant(cert), "invalid_grant", new RegExp(`certificate belongs to organisation ${roles(sim()).owner.orgno}`));
  });

  it("rejects an expired and a not-yet-valid certificate", async () => {
    const orgno = roles(sim()).consumer.orgno;
    const day = 24 * 3600 * 1000;
    const expired = await sim().ca.issueBusinessCertificate(orgno, {
      notBefore: new Date(Date.now() - 400 * day),
      notAfter: new Date(Date.now() - day),
    });
    expectOAuthError(await x5cGrant(expired), "invalid_grant", /invalid certificate \(MP-120\): certificate .* expired at/, "MP-120");
    const future = await sim().ca.issueBusinessCertificate(orgno, {
      notBefore: new Date(Date.now() + day),
      notAfter: new Date(Date.now() + 400 * day),
    });
    expectOAuthError(await x5cGrant(future), "invalid_grant", /is not valid before/, "MP-120");
  });

  it("rejects a certificate from an untrusted CA until that CA is trusted", async () => {
    const clock = new Clock();
    const otherCa = new TestCa(await createCaMaterial(clock.date()), clock, () => undefined);
    const cert = await otherCa.issueBusinessCertificate(roles(sim()).consumer.orgno);
    expectOAuthError(await x5cGrant(cert), "invalid_grant", /does not end in a CA this simulator trusts/, "MP-120");
    await sim().control.trustCa(otherCa.certificatePem);
    expect((await x5cGrant(cert)).status).toBe(200);
  });

  it("rejects a grant signed with another key than the certificate's", async () => {
    const other = rsaKeyPair();
    const res = await requestToken(sim(), {
      clientId,
      x5c: x5cOf(consumerCert.chainPem),
      privateJwk: other.privateJwk,
      header: { kid: undefined, x5c: x5cOf(consumerCert.chainPem) },
      scope: "difitest:open",
    });
    expectOAuthError(res, "invalid_grant", /signature does not verify with the certificate/);
  });

  it("rejects x5c that is not a certificate chain", async () => {
    const res = await requestToken(sim(), {
      clientId,
      x5c: ["bm90IGEgY2VydA=="],
      privateKeyPem: consumerCert.privateKeyPem,
      scope: "difitest:open",
    });
    expectOAuthError(res, "invalid_grant", /Failed to extract certificate/, "MP-120");
  });

  it("requires kid once the client has registered keys", async () => {
    const key = rsaKeyPair();
    const created = await consumerApi.post("/clients", clientBody({ jwks: { keys: [key.publicJwk] } }));
    const res = await requestToken(sim(), {
      clientId: created.body.client_id,
      x5c: x5cOf(consumerCert.chainPem),
      privateKeyPem: consumerCert.privateKeyPem,
      scope: "difitest:open",
    });
    expectOAuthError(res, "invalid_grant", /has registered keys and must authenticate with kid/);
  });

  it("supports the certificate-based admin flow: an admin client without keys, a token by x5c, then the API", async () => {
    const { consumer } = roles(sim());
    const admin = await consumerApi.post("/clients", clientBody({ scopes: ["idporten:dcr.read", "idporten:dcr.write"] }));
    expect(admin.status).toBe(200);
    const token = await requestToken(sim(), {
      clientId: admin.body.client_id,
      x5c: x5cOf(consumerCert.chainPem),
      privateKeyPem: consumerCert.privateKeyPem,
      scope: "idporten:dcr.read idporten:dcr.write",
    });
    expect(token.status).toBe(200);
    const list = await api(sim(), token.body.access_token).get("/clients");
    expect(list.status).toBe(200);
    expect(list.body.every((c: { client_orgno: string }) => c.client_orgno === consumer.orgno)).toBe(true);
  });

  it("issues certificates through the control API and refuses an invalid orgno", async () => {
    const cert = await sim().control.issueCertificate(roles(sim()).supplier.orgno, { commonName: "Leverandør test" });
    expect(new X509Certificate(cert.certificatePem).subject).toContain("CN=Leverandør test");
    expect(await sim().control.caCertificate()).toBe(sim().ca.certificatePem);
    await expect(sim().control.issueCertificate("123456789")).rejects.toThrow(SimulatorControlError);
  });
});

describe("certificate helpers", () => {
  it("reads the orgno from organizationIdentifier first, then serialNumber", () => {
    expect(orgnoFromSubject("C=NO\norganizationIdentifier=NTRNO-312000008\nCN=x")).toBe("312000008");
    expect(orgnoFromSubject("C=NO\nserialNumber=312000008\nCN=x")).toBe("312000008");
    expect(orgnoFromSubject("C=NO\nCN=x")).toBeUndefined();
  });

  it("gives serials that every certificate parser accepts (positive, never a leading zero byte)", () => {
    // One serial in about 256 had a leading 0x00 that DER forbids, and Node refused that certificate.
    const key = rsaKey();
    const refused = Array.from({ length: 3000 }, () => issueCertificate({ commonName: "Serial", key }).certificatePem).filter((pem) => {
      try {
        return !new X509Certificate(pem).serialNumber;
      } catch {
        return true;
      }
    });
    expect(refused).toEqual([]);
    expect(serialNumber()).toMatch(/^[4-7][0-9a-f]{31}$/);
  });

  it("verifies validity against the given time", async () => {
    const clock = new Clock();
    const ca = new TestCa(await createCaMaterial(clock.date()), clock, () => "Org");
    const cert = await ca.issueBusinessCertificate("312000008");
    const verifier = new ChainVerifier([ca.certificatePem]);
    const x5c = x5cOf(cert.chainPem);
    expect(verifier.verify(x5c, new Date()).orgno).toBe("312000008");
    expect(() => verifier.verify(x5c, new Date(Date.now() + 3 * 365 * 24 * 3600 * 1000))).toThrow(/expired/);
  });
});
