/**
 * A test certificate authority: issues business certificates (virksomhetssertifikat) that carry the
 * organisation number in the subject like real Norwegian ones, and verifies `x5c` chains against the CAs
 * the simulator trusts. node-forge builds certificates; Node's X509Certificate verifies them.
 */
import { randomBytes, X509Certificate, createPrivateKey, createPublicKey, privateEncrypt, constants } from "node:crypto";
import forge from "node-forge";
import { isValidOrgno } from "./rules";
import type { BusinessCertificate, BusinessCertificateOptions } from "./types";
import type { Clock } from "./clock";
import { generateRsaKeyPair } from "./keys";

export interface CaMaterial {
  certificatePem: string;
  privateKeyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ORGANIZATION_IDENTIFIER_OID = "2.5.4.97";
const UTF8 = forge.asn1.Type.UTF8;

/**
 * A random certificate serial in hex. The first byte is kept in 0x40–0x7f: positive, and never 0x00, which
 * DER would have to drop (OpenSSL, and so Node's X509Certificate, refuses such a serial as "illegal padding").
 */
export function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes.toString("hex");
}

async function rsaPem(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const pair = await generateRsaKeyPair("x", 2048);
  const key = createPrivateKey({ key: pair.privateJwk as never, format: "jwk" });
  return {
    privateKeyPem: key.export({ type: "pkcs8", format: "pem" }) as string,
    publicKeyPem: createPublicKey(key).export({ type: "spki", format: "pem" }) as string,
  };
}

/** DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256. */
const SHA256_DIGEST_INFO = Buffer.from("3031300d060960864801650304020105000420", "hex");

/**
 * Signs with Node's crypto instead of forge's pure-JS RSA (seconds per signature under Jest): forge hands
 * `sign` the SHA-256 digest of the TBSCertificate; we wrap it in a DigestInfo and RSA-sign it (PKCS#1 v1.5).
 */
function nodeSigner(privateKeyPem: string): forge.pki.rsa.PrivateKey {
  const key = createPrivateKey(privateKeyPem);
  const signer = {
    sign(md: forge.md.MessageDigest): string {
      const digest = Buffer.from(md.digest().getBytes(), "binary");
      return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest])).toString("binary");
    },
  };
  return signer as unknown as forge.pki.rsa.PrivateKey;
}

/** forge writes CRLF line ends; PEM files elsewhere use LF. */
function certificatePem(cert: forge.pki.Certificate): string {
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, "\n");
}

export async function createCaMaterial(now: Date): Promise<CaMaterial> {
  const { privateKeyPem, publicKeyPem } = await rsaPem();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + 20 * 365 * DAY_MS);
  const attrs = [
    { name: "countryName", value: "NO" },
    { name: "organizationName", value: "Maskinporten Simulator", valueTagClass: UTF8 },
    { name: "commonName", value: "Maskinporten Simulator Test CA", valueTagClass: UTF8 },
  ];
  cert.setSubject(attrs as never);
  cert.setIssuer(attrs as never);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(nodeSigner(privateKeyPem), forge.md.sha256.create());
  return { certificatePem: certificatePem(cert), privateKeyPem };
}

export class CaError extends Error {}

/** Issues business certificates signed by the simulator's CA. */
export class TestCa {
  readonly certificatePem: string;
  private readonly forgeCert: forge.pki.Certificate;
  private readonly signer: forge.pki.rsa.PrivateKey;

  constructor(
    material: CaMaterial,
    private readonly clock: Clock,
    private readonly orgName: (orgno: string) => string | undefined,
  ) {
    this.certificatePem = material.certificatePem;
    this.forgeCert = forge.pki.certificateFromPem(material.certificatePem);
    this.signer = nodeSigner(material.privateKeyPem);
  }

  async issueBusinessCertificate(orgno: string, opts: BusinessCertificateOptions = {}): Promise<BusinessCertificate> {
    if (!isValidOrgno(orgno)) throw new CaError(`orgno "${String(orgno)}" is not a valid organisation number`);
    const now = this.clock.nowMs();
    const notBefore = opts.notBefore ?? new Date(now - 60 * 60 * 1000);
    const notAfter = opts.notAfter ?? new Date(now + 2 * 365 * DAY_MS);
    if (notAfter.getTime() <= notBefore.getTime()) throw new CaError("notAfter must be after notBefore");
    if (opts.seid !== undefined && opts.seid !== 1 && opts.seid !== 2) throw new CaError("seid must be 1 or 2");
    const name = this.orgName(orgno) ?? `Testorganisasjon ${orgno}`;
    const { privateKeyPem, publicKeyPem } = await rsaPem();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
    cert.serialNumber = serialNumber();
    cert.validity.notBefore = notBefore;
    cert.validity.notAfter = notAfter;
    cert.setSubject([
      { name: "countryName", value: "NO" },
      { name: "organizationName", value: name, valueTagClass: UTF8 },
      opts.seid === 1 ? { name: "serialNumber", value: orgno } : { type: ORGANIZATION_IDENTIFIER_OID, value: `NTRNO-${orgno}` },
      { name: "commonName", value: opts.commonName ?? name, valueTagClass: UTF8 },
    ] as never);
    cert.setIssuer(this.forgeCert.subject.attributes);
    cert.setExtensions([
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, nonRepudiation: true, critical: true },
    ]);
    cert.sign(this.signer, forge.md.sha256.create());
    const password = opts.password ?? randomBytes(12).toString("base64url");
    const forgeKey = forge.pki.privateKeyFromPem(privateKeyPem);
    const p12 = forge.pkcs12.toPkcs12Asn1(forgeKey, [cert, this.forgeCert], password, {
      algorithm: "3des",
      friendlyName: name,
    });
    const leafPem = certificatePem(cert);
    return {
      p12Base64: Buffer.from(forge.asn1.toDer(p12).getBytes(), "binary").toString("base64"),
      password,
      certificatePem: leafPem,
      chainPem: leafPem + this.certificatePem,
      privateKeyPem,
    };
  }
}

/** The organisation number in a certificate subject: `organizationIdentifier=NTRNO-<orgno>` or `serialNumber=<orgno>`. */
export function orgnoFromSubject(subject: string): string | undefined {
  const lines = subject.split("\n");
  for (const line of lines) {
    const m = /^(?:organizationIdentifier|2\.5\.4\.97)=NTRNO-(\d{9})$/.exec(line.trim());
    if (m) return m[1];
  }
  for (const line of lines) {
    const m = /^serialNumber=(\d{9})$/.exec(line.trim());
    if (m) return m[1];
  }
  return undefined;
}

export interface VerifiedChain {
  leaf: X509Certificate;
  orgno: string;
}

/** Verifies `x5c` chains: each link signed by the next, the last by (or being) a trusted CA, all valid at `at`. */
export class ChainVerifier {
  private trusted: X509Certificate[] = [];

  constructor(pems: string[]) {
    for (const pem of pems) this.trust(pem);
  }

  trust(pem: string): void {
    const cert = new X509Certificate(pem);
    if (!this.trusted.some((t) => t.fingerprint256 === cert.fingerprint256)) this.trusted.push(cert);
  }

  /** Throws CaError with a message fit for an `error_description`. */
  verify(x5c: unknown, at: Date): VerifiedChain {
    if (!Array.isArray(x5c) || x5c.length === 0 || x5c.some((c) => typeof c !== "string")) {
      throw new CaError("Failed to extract certificate from jwt: x5c must be a non-empty array of base64 DER certificates");
    }
    let chain: X509Certificate[];
    try {
      chain = (x5c as string[]).map((c) => new X509Certificate(Buffer.from(c, "base64")));
    } catch {
      throw new CaError("Failed to extract certificate from jwt: x5c holds something that is not a DER certificate");
    }
    const t = at.getTime();
    for (const cert of chain) {
      if (t < cert.validFromDate.getTime())
        throw new CaError(`certificate ${subjectCn(cert)} is not valid before ${cert.validFromDate.toISOString()}`);
      if (t > cert.validToDate.getTime()) throw new CaError(`certificate ${subjectCn(cert)} expired at ${cert.validToDate.toISOString()}`);
    }
    for (let i = 0; i + 1 < chain.length; i++) {
      const child = chain[i]!;
      const parent = chain[i + 1]!;
      if (!parent.ca || !child.checkIssued(parent) || !child.verify(parent.publicKey)) {
        throw new CaError(`x5c[${i}] is not signed by x5c[${i + 1}]: the chain is broken`);
      }
    }
    const last = chain[chain.length - 1]!;
    const anchored = this.trusted.some(
      (ca) => ca.fingerprint256 === last.fingerprint256 || (last.checkIssued(ca) && last.verify(ca.publicKey)),
    );
    if (!anchored) throw new CaError("the certificate chain does not end in a CA this simulator trusts");
    const leaf = chain[0]!;
    if (leaf.ca) throw new CaError("x5c[0] is a CA certificate, not a business certificate");
    const orgno = orgnoFromSubject(leaf.subject);
    if (!orgno)
      throw new CaError("the certificate subject holds no organisation number (organizationIdentifier=NTRNO-<orgno> or serialNumber)");
    return { leaf, orgno };
  }
}

function subjectCn(cert: X509Certificate): string {
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject);
  return JSON.stringify(cn?.[1] ?? cert.subject);
}
