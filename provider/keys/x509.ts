import type { X509Certificate } from "node:crypto";
import { KeyError } from "../api/errors";

/** The leaf, then its issuer, that one's issuer, and so on; certificates outside that chain are left out. */
export function orderChain(leaf: X509Certificate, others: readonly X509Certificate[]): X509Certificate[] {
  const chain = [leaf];
  const rest = others.filter((c) => c !== leaf);
  for (;;) {
    const last = chain[chain.length - 1]!;
    if (last.checkIssued(last)) break; // self-signed: a root
    const issuer = rest.find((c) => !chain.includes(c) && last.checkIssued(c));
    if (!issuer) break;
    chain.push(issuer);
  }
  return chain;
}

export function x5cOf(chain: readonly X509Certificate[]): string[] {
  return chain.map((c) => c.raw.toString("base64"));
}

/** Fresh Dates: Node makes these in its own realm, where `instanceof Date` fails inside a vm sandbox such as Jest's. */
export function validity(certificate: X509Certificate): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(certificate.validFromDate.getTime()), notAfter: new Date(certificate.validToDate.getTime()) };
}

/** A certificate expired at `now` is useless; one not yet valid only when it must work now. */
export function requireCertificateValid(
  certificate: X509Certificate,
  field: string,
  now: Date,
  options: { allowNotYetValid?: boolean } = {},
): void {
  const { notBefore, notAfter } = validity(certificate);
  const span = `it is valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}`;
  if (now.getTime() > notAfter.getTime()) {
    throw new KeyError(
      "CERTIFICATE_EXPIRED",
      field,
      `holds a certificate (${commonName(certificate)}) that expired on ${notAfter.toISOString()} (${span}); use the renewed certificate from your certificate issuer`,
    );
  }
  if (!options.allowNotYetValid && now.getTime() < notBefore.getTime()) {
    throw new KeyError(
      "CERTIFICATE_NOT_YET_VALID",
      field,
      `holds a certificate (${commonName(certificate)}) that is not valid before ${notBefore.toISOString()} (${span}); wait until then, or check this machine's clock`,
    );
  }
}

/** The subject as one line, e.g. `C=NO, O=ACME AS, organizationIdentifier=NTRNO-991825827, CN=ACME AS`. */
export function subjectLine(certificate: X509Certificate): string {
  return certificate.subject.split("\n").join(", ");
}

function commonName(certificate: X509Certificate): string {
  const cn = subjectAttribute(certificate, "CN")[0];
  return cn ? `CN=${cn}` : subjectLine(certificate);
}

/** Every value of one subject attribute, by OpenSSL's short name or dotted OID. */
export function subjectAttribute(certificate: X509Certificate, ...names: string[]): string[] {
  const subject = certificate.toLegacyObject().subject as unknown as Record<string, string | string[] | undefined>;
  return names.flatMap((name) => {
    const value = subject[name];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  });
}
