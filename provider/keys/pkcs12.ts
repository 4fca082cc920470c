/**
 * Reads a PKCS#12 file (.p12/.pfx, as Norwegian business certificates are delivered) into Node KeyObjects and
 * X509Certificates. node-forge does the PKCS#12 parsing (Node's crypto has none); everything after is Node's.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import type forgeModule from "node-forge";
import { KeyError } from "../api/errors";

export interface Pkcs12Contents {
  keys: KeyObject[];
  certificates: X509Certificate[];
}

export interface Pkcs12Fields {
  /** The file or its content. */
  field: string;
  passwordField: string;
}

type Forge = typeof forgeModule;

/** A PKCS#12 from a path to a file that exists, base64 text, or bytes. */
export async function readPkcs12(p12: string | Uint8Array, password: string, fields: Pkcs12Fields): Promise<Pkcs12Contents> {
  if (typeof password !== "string") {
    throw new KeyError("BAD_PASSWORD", fields.passwordField, `is missing; give the password of the PKCS#12 file in ${fields.field}`);
  }
  const der = await pkcs12Bytes(p12, fields.field);
  return decodePkcs12(await loadForge(), der, password, fields);
}

/** node-forge is large and only PKCS#12 needs it: loaded on first use, not with the package. */
async function loadForge(): Promise<Forge> {
  const loaded = (await import("node-forge")) as Forge & { default?: Forge };
  return loaded.default ?? loaded;
}

async function pkcs12Bytes(p12: string | Uint8Array, field: string): Promise<Buffer> {
  if (typeof p12 !== "string") return Buffer.from(p12);
  if (await isFile(p12.trim())) return readFile(p12.trim());
  const compact = p12.replace(/\s+/g, "");
  if (compact.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return Buffer.from(compact, "base64");
  // A path is worth showing (and is no secret); other text might be a mangled secret.
  const named = /\.(p12|pfx)$/i.test(p12.trim()) && p12.length <= 1024 ? ` "${p12.trim()}"` : "";
  throw new KeyError("UNREADABLE_KEY", field, `is neither a file that exists${named} nor the base64 content of a PKCS#12 file (.p12/.pfx)`);
}

async function isFile(path: string): Promise<boolean> {
  if (path.length > 4096 || path.includes("\0")) return false;
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function decodePkcs12(forge: Forge, der: Buffer, password: string, fields: Pkcs12Fields): Pkcs12Contents {
  let pfx: forgeModule.pkcs12.Pkcs12Pfx;
  try {
    pfx = parsePfx(forge, der, password);
  } catch (error) {
    throw pkcs12Error(error, fields);
  }
  return { keys: keysOf(forge, pfx, fields.field), certificates: certificatesOf(forge, pfx, fields.field) };
}

/**
 * PKCS#12 derives the MAC and the old PBE keys from the password as UTF-16, but PBES2 (AES, what OpenSSL 3
 * writes) from its UTF-8 bytes. forge feeds PBES2 the JavaScript string, which only works for ASCII, so a
 * password like "blåbær" passes the MAC and then fails to decrypt: check the MAC as it is, then decrypt
 * with the UTF-8 bytes and no MAC.
 */
function parsePfx(forge: Forge, der: Buffer, password: string): forgeModule.pkcs12.Pkcs12Pfx {
  const read = () => forge.asn1.fromDer(der.toString("binary"), false);
  try {
    return forge.pkcs12.pkcs12FromAsn1(read(), false, password);
  } catch (error) {
    // eslint-disable-next-line no-control-regex -- the ASCII range itself: is any character outside it
    if (!/[^\x00-\x7f]/.test(password) || !isDecryptFailure(error)) throw error;
    const withoutMac = read();
    withoutMac.value = (withoutMac.value as forgeModule.asn1.Asn1[]).slice(0, 2);
    return forge.pkcs12.pkcs12FromAsn1(withoutMac, false, forge.util.encodeUtf8(password));
  }
}

function isDecryptFailure(error: unknown): boolean {
  return error instanceof Error && /decrypt/i.test(error.message);
}

function pkcs12Error(error: unknown, fields: Pkcs12Fields): KeyError {
  const message = error instanceof Error ? error.message : "";
  if (/MAC could not be verified|password|decrypt/i.test(message)) {
    return new KeyError(
      "BAD_PASSWORD",
      fields.passwordField,
      `is not the password of the PKCS#12 file in ${fields.field} (its integrity check or decryption failed); use the password that came with the certificate`,
    );
  }
  return new KeyError("UNREADABLE_KEY", fields.field, "is not a PKCS#12 file (.p12/.pfx) that can be read; check that it was copied whole");
}

function bagsOf(pfx: forgeModule.pkcs12.Pkcs12Pfx, type: string): forgeModule.pkcs12.Bag[] {
  return pfx.getBags({ bagType: type })[type] ?? [];
}

function keysOf(forge: Forge, pfx: forgeModule.pkcs12.Pkcs12Pfx, field: string): KeyObject[] {
  const { oids } = forge.pki;
  return [...bagsOf(pfx, oids["pkcs8ShroudedKeyBag"]!), ...bagsOf(pfx, oids["keyBag"]!)].map((bag) => {
    // forge only understands RSA keys; others stay as their PrivateKeyInfo.
    const info = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : bag.asn1;
    return parsed(field, "private key", () => createPrivateKey({ key: derOf(forge, info), format: "der", type: "pkcs8" }));
  });
}

function certificatesOf(forge: Forge, pfx: forgeModule.pkcs12.Pkcs12Pfx, field: string): X509Certificate[] {
  return bagsOf(pfx, forge.pki.oids["certBag"]!).map((bag) =>
    parsed(field, "certificate", () => new X509Certificate(derOf(forge, bag.cert ? originalCertificate(forge, bag.cert) : bag.asn1))),
  );
}

/**
 * forge keeps a parsed certificate's TBSCertificate as read, but re-creates its signatureAlgorithm, and gets
 * the parameters wrong for some algorithms. RFC 5280 requires signatureAlgorithm to equal the
 * TBSCertificate's `signature` field, so the certificate is rebuilt from that: byte for byte the original.
 */
function originalCertificate(forge: Forge, cert: forgeModule.pki.Certificate): forgeModule.asn1.Asn1 {
  const { asn1 } = forge;
  const tbs = (cert as unknown as { tbsCertificate: forgeModule.asn1.Asn1 }).tbsCertificate;
  const parts = tbs.value as forgeModule.asn1.Asn1[];
  const hasVersion = parts[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC;
  const signatureAlgorithm = parts[hasVersion ? 2 : 1]!;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    signatureAlgorithm,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\0${cert.signature as string}`),
  ]);
}

function derOf(forge: Forge, value: forgeModule.asn1.Asn1 | undefined): Buffer {
  if (!value) throw new Error("empty bag");
  return Buffer.from(forge.asn1.toDer(value).getBytes(), "binary");
}

function parsed<T>(field: string, what: string, make: () => T): T {
  try {
    return make();
  } catch {
    throw new KeyError("UNREADABLE_KEY", field, `holds a ${what} that cannot be read; export the PKCS#12 file again`);
  }
}
