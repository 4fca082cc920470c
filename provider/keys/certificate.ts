import type { KeyObject, X509Certificate } from "node:crypto";
import { orgnoProblem } from "../api/validation";
import { KeyError } from "../api/errors";
import { readKeyMaterial } from "./input";
import { readPkcs12 } from "./pkcs12";
import { privateKeyFrom } from "./private-key";
import { requireRsaKey, requireWorkingPrivateKey } from "./rsa";
import { orderChain, requireCertificateValid, subjectAttribute, subjectLine, validity, x5cOf } from "./x509";

export type BusinessCertificateInput =
  /** A PKCS#12 file (.p12/.pfx): a path to it, its base64 content, or its bytes. */
  | { p12: string | Uint8Array; password: string }
  /** The certificate (chain) and its private key as PEM. */
  | { certificatePem: string; privateKeyPem: string };

export interface BusinessCertificateOptions {
  /** Names the PKCS#12 file or the certificate PEM in messages. */
  field: string;
  /** Names the PKCS#12 password; `<field>Password` by default. */
  passwordField?: string;
  /** Names the PEM private key; `<field>Key` by default. */
  keyField?: string;
  /** The certificate must be valid at this time; the clock by default. */
  now?: Date;
}

export interface BusinessCertificate {
  key: KeyObject;
  /** The chain for a JWT's `x5c` header: the leaf (the key's certificate) first, then its issuers, base64 DER. */
  x5c: string[];
  /** The organisation number the certificate was issued to. */
  orgno: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * A Norwegian business certificate (virksomhetssertifikat, SEID 1 or 2) and its private key, checked to be
 * usable for a JWT grant with `x5c`: RSA of at least 2048 bits, key and certificate belonging together,
 * valid now, and issued to an organisation number.
 */
export async function loadBusinessCertificate(
  input: BusinessCertificateInput,
  options: BusinessCertificateOptions,
): Promise<BusinessCertificate> {
  const { field } = options;
  const { key, certificates } = await certificateParts(input, options);
  const leaf = certificates.find((c) => belongsTo(c, key));
  if (!leaf) {
    const keyName = "p12" in input ? "the private key" : `the private key in ${options.keyField ?? `${field}Key`}`;
    const what = certificates.length === 1 ? "a certificate that does not" : `${certificates.length} certificates, none of which does`;
    throw new KeyError(
      "CERTIFICATE_KEY_MISMATCH",
      field,
      `holds ${what} belong to ${keyName}; give the certificate and key that were issued together`,
    );
  }
  requireCertificateValid(leaf, field, options.now ?? new Date());
  return {
    key,
    x5c: x5cOf(orderChain(leaf, certificates)),
    orgno: orgnoOf(leaf, field),
    subject: subjectLine(leaf),
    ...validity(leaf),
  };
}

async function certificateParts(
  input: BusinessCertificateInput,
  options: BusinessCertificateOptions,
): Promise<{ key: KeyObject; certificates: X509Certificate[] }> {
  const { field } = options;
  if ("p12" in input) {
    const contents = await readPkcs12(input.p12, input.password, { field, passwordField: options.passwordField ?? `${field}Password` });
    if (contents.certificates.length === 0)
      throw new KeyError("UNREADABLE_KEY", field, "is a PKCS#12 file without a certificate; export it again with the certificate");
    if (contents.keys.length !== 1) {
      throw new KeyError(
        contents.keys.length === 0 ? "PUBLIC_KEY_GIVEN" : "MULTIPLE_KEYS",
        field,
        `is a PKCS#12 file with ${contents.keys.length} private keys; export the business certificate again with exactly its own private key`,
      );
    }
    const key = contents.keys[0]!;
    requireRsaKey(key, field, "holds");
    requireWorkingPrivateKey(key, field, "holds");
    return { key, certificates: contents.certificates };
  }
  const keyField = options.keyField ?? `${field}Key`;
  const material = readKeyMaterial(input.certificatePem, field);
  if (material.kind !== "certificates") {
    throw new KeyError(
      "UNREADABLE_KEY",
      field,
      "is not a PEM certificate; give the business certificate (-----BEGIN CERTIFICATE-----), and its private key separately",
    );
  }
  return { key: privateKeyFrom(readKeyMaterial(input.privateKeyPem, keyField), keyField).key, certificates: material.certificates };
}

function belongsTo(certificate: X509Certificate, key: KeyObject): boolean {
  try {
    return certificate.checkPrivateKey(key);
  } catch {
    return false;
  }
}

/**
 * SEID 2 certificates carry `organizationIdentifier=NTRNO-<orgno>` (OID 2.5.4.97); SEID 1 certificates
 * carried the bare number as `serialNumber` (OID 2.5.4.5).
 */
function orgnoOf(certificate: X509Certificate, field: string): string {
  const fromIdentifier = subjectAttribute(certificate, "organizationIdentifier", "2.5.4.97")
    .map((v) => /^NTRNO-(.*)$/.exec(v.trim())?.[1])
    .filter((v): v is string => v !== undefined);
  const fromSerial = subjectAttribute(certificate, "serialNumber", "2.5.4.5")
    .map((v) => v.trim())
    .filter((v) => /^\d{9}$/.test(v));
  const orgno = fromIdentifier[0] ?? fromSerial[0];
  if (orgno === undefined) {
    throw new KeyError(
      "NO_ORGNO_IN_CERTIFICATE",
      field,
      `holds a certificate whose subject (${subjectLine(certificate)}) names no organisation number (organizationIdentifier=NTRNO-<orgno> or serialNumber=<orgno>); Maskinporten needs a business certificate (virksomhetssertifikat)`,
    );
  }
  if (orgnoProblem(orgno, field)) {
    throw new KeyError(
      "NO_ORGNO_IN_CERTIFICATE",
      field,
      `holds a certificate whose organisation number "${orgno.slice(0, 32)}" is not valid (nine digits passing the mod-11 check); Maskinporten needs a business certificate (virksomhetssertifikat) from Buypass or Commfides`,
    );
  }
  return orgno;
}
