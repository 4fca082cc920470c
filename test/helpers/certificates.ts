/**
 * A small test PKI: RSA keys from Node (fast), certificates and PKCS#12 files from node-forge. Business
 * certificates carry the organisation number as SEID 2 (`organizationIdentifier=NTRNO-<orgno>`) or SEID 1
 * (`serialNumber=<orgno>`), like Buypass' and Commfides' do.
 */
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import forge from "node-forge";
import { serialNumber } from "../../simulator/ca";

export interface TestKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privateKeyPem: string;
}

export function rsaKey(modulusLength = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength });
  return { privateKey, publicKey, privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string };
}

export interface Issued {
  key: TestKey;
  certificatePem: string;
}

export type OrgnoStyle = "seid2" | "seid1" | "none";

export interface IssueOptions {
  commonName: string;
  /** Put into the subject as `orgnoStyle` says. */
  orgno?: string;
  orgnoStyle?: OrgnoStyle;
  /** The issuer; self-signed when absent. */
  issuer?: Issued;
  key?: TestKey;
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
}

const DAY = 24 * 60 * 60 * 1000;

export function issueCertificate(options: IssueOptions): Issued {
  const key = options.key ?? rsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicKey.export({ type: "spki", format: "pem" }) as string);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = options.notBefore ?? new Date(Date.now() - DAY);
  cert.validity.notAfter = options.notAfter ?? new Date(Date.now() + 365 * DAY);
  const subject = subjectAttributes(options);
  cert.setSubject(subject);
  cert.setIssuer(options.issuer ? forge.pki.certificateFromPem(options.issuer.certificatePem).subject.attributes : subject);
  cert.setExtensions(
    options.ca
      ? [
          { name: "basicConstraints", cA: true, critical: true },
          { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
        ]
      : [
          { name: "basicConstraints", cA: false },
          { name: "keyUsage", digitalSignature: true, nonRepudiation: true, critical: true },
        ],
  );
  signWithNode(cert, (options.issuer?.key ?? key).privateKey);
  return { key, certificatePem: forge.pki.certificateToPem(cert) };
}

/** What forge's `cert.sign` does, with Node's RSA: forge's own takes seconds per signature under Jest. */
function signWithNode(cert: forge.pki.Certificate, signer: KeyObject): void {
  const oid = forge.pki.oids["sha256WithRSAEncryption"]!;
  const parts = cert as unknown as {
    signatureOid: string;
    siginfo: { algorithmOid: string };
    tbsCertificate: forge.asn1.Asn1;
    signature: string;
  };
  parts.signatureOid = parts.siginfo.algorithmOid = oid;
  const pki = forge.pki as typeof forge.pki & { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };
  parts.tbsCertificate = pki.getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(parts.tbsCertificate).getBytes(), "binary");
  parts.signature = sign("sha256", tbs, signer).toString("binary");
}

function subjectAttributes(options: IssueOptions): forge.pki.CertificateField[] {
  const attributes: forge.pki.CertificateField[] = [
    { name: "countryName", value: "NO" },
    { name: "organizationName", value: `${options.commonName} AS` },
  ];
  const style = options.orgnoStyle ?? (options.orgno ? "seid2" : "none");
  if (options.orgno && style === "seid2") {
    // forge types valueTagClass as a Class, but it takes the universal tag number of the string type here.
    attributes.push({
      type: "2.5.4.97",
      value: `NTRNO-${options.orgno}`,
      valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class,
    });
  }
  if (options.orgno && style === "seid1") attributes.push({ name: "serialNumber", value: options.orgno });
  attributes.push({ name: "commonName", value: options.commonName });
  return attributes;
}

export interface TestPki {
  root: Issued;
  intermediate: Issued;
  leaf: Issued;
}

/** Root → intermediate → business certificate of `orgno`. */
export function businessPki(options: Partial<Omit<IssueOptions, "issuer" | "ca">> & { orgno?: string } = {}): TestPki {
  const root = issueCertificate({ commonName: "Test Root CA", ca: true, notAfter: new Date(Date.now() + 3650 * DAY) });
  const intermediate = issueCertificate({
    commonName: "Test Business CA",
    ca: true,
    issuer: root,
    notAfter: new Date(Date.now() + 3650 * DAY),
  });
  const leaf = issueCertificate({ commonName: "TEST VIRKSOMHET", orgno: "991825827", ...options, issuer: intermediate });
  return { root, intermediate, leaf };
}

export interface Pkcs12Options {
  key: TestKey;
  certificatesPem: string[];
  password: string;
  algorithm?: "3des" | "aes128" | "aes256";
}

export function makePkcs12(options: Pkcs12Options): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(options.key.privateKeyPem),
    options.certificatesPem.map((pem) => forge.pki.certificateFromPem(pem)),
    options.password,
    { algorithm: options.algorithm ?? "aes256" },
  );
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
}

/** The base64 body of a PEM: the part of it that is secret. */
export function pemBody(pem: string): string {
  return pem.replace(/-----[A-Z0-9 ]+-----/g, "").replace(/\s+/g, "");
}
