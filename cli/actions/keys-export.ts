/**
 * `maskinporten keys export FORMAT --key FILE|-`: converts a key between the forms Maskinporten, the portal,
 * vaults and other tools want. The input may be any private form (JWK, its base64, PEM); the public formats
 * also take a public key or certificate.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { loadPrivateKey } from "../../provider/keys/private-key";
import { KeyError, toPublicJwk, type PrivateJwk, type PublicJwk } from "../../sdk/keys";
import { EXIT, readInput, UsageError, writeNewFile, type CliIo } from "../io";

export const EXPORT_FORMATS = {
  public: "the public JWK as a JSON array, as `altinn-jwks export maskinporten` prints it: paste it in the self-service portal",
  "public-jwk": "the public JWK as one JSON object: for a ClientKey's publicKey",
  "public-pem": "the public key as PEM (SPKI)",
  private: "the private JWK as JSON (what getAccessToken and `maskinporten token` read)",
  base64: "the private JWK as base64, as `altinn-jwks export key --base64` prints it: for Azure Key Vault and other vaults",
  pem: "the private key as PEM (PKCS#8); use it with its kid",
} as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

export interface KeysExportOptions {
  key: string;
  kid?: string;
  out?: string;
  force?: boolean;
}

const PRIVATE_FORMATS: readonly ExportFormat[] = ["private", "base64", "pem"];

export async function keysExportCommand(format: string, opts: KeysExportOptions, io: CliIo): Promise<number> {
  if (!(format in EXPORT_FORMATS)) {
    throw new UsageError(`unknown format ${JSON.stringify(format)}: use one of ${Object.keys(EXPORT_FORMATS).join(", ")}`);
  }
  const which = format as ExportFormat;
  const input = await readInput(io, opts.key, "--key");
  const isPrivate = PRIVATE_FORMATS.includes(which);
  const text = isPrivate ? await privateForm(which, input, opts.kid) : await publicForm(which, input, opts.kid);

  if (opts.out !== undefined) {
    await writeNewFile(opts.out, text, { secret: isPrivate, overwrite: !!opts.force, flag: "--out" });
    io.stderr.write(`maskinporten keys export: wrote ${opts.out}${isPrivate ? " (a private key, mode 0600)" : ""}\n`);
  } else {
    if (isPrivate && io.stdout.isTTY) {
      io.stderr.write("maskinporten keys export: printing a PRIVATE key; use --out FILE to write it to a file readable by you only\n");
    }
    io.stdout.write(text);
  }
  return EXIT.OK;
}

async function privateForm(format: ExportFormat, input: Buffer, kid: string | undefined): Promise<string> {
  const needsKid = format !== "pem";
  let loaded;
  try {
    loaded = await loadPrivateKey(input, { field: "--key", ...(kid !== undefined && { kid }), kidField: "--kid" });
  } catch (err) {
    // A PEM key has no kid; for PEM out, none is needed.
    if (!needsKid && kid === undefined && err instanceof KeyError && err.field === "--kid") {
      loaded = await loadPrivateKey(input, { field: "--key", kid: "unused", kidField: "--kid" });
    } else throw err;
  }
  if (format === "pem") return loaded.key.export({ type: "pkcs8", format: "pem" }) as string;
  const json = JSON.stringify(privateJwkOf(loaded.publicJwk, loaded.key));
  return format === "private" ? `${json}\n` : `${Buffer.from(json, "utf8").toString("base64")}\n`;
}

async function publicForm(format: ExportFormat, input: Buffer, kid: string | undefined): Promise<string> {
  let jwk: PublicJwk;
  try {
    jwk = (await loadPrivateKey(input, { field: "--key", ...(kid !== undefined && { kid }), kidField: "--kid" })).publicJwk;
  } catch (err) {
    if (!(err instanceof KeyError)) throw err;
    if (err.code === "PUBLIC_KEY_GIVEN") {
      jwk = (await toPublicJwk(input, { field: "--key", ...(kid !== undefined && { kid }) })).jwk;
    } else if (kid === undefined && err.field === "--kid") {
      // A PEM key without a kid: the public formats do with the key's thumbprint, as a ClientKey would.
      const loaded = await loadPrivateKey(input, { field: "--key", kid: "unused", kidField: "--kid" });
      jwk = { ...loaded.publicJwk, kid: loaded.thumbprint };
    } else throw err;
  }
  if (format === "public-pem")
    return createPublicKey({ key: { kty: "RSA", n: jwk.n, e: jwk.e }, format: "jwk" }).export({ type: "spki", format: "pem" }) as string;
  if (format === "public-jwk") return `${JSON.stringify(jwk, null, 2)}\n`;
  return `${JSON.stringify([jwk])}\n`;
}

/** The private JWK with members in altinn-jwks' and `generateKeyPair`'s order: public members, then d, p, q, dp, dq, qi. */
export function privateJwkOf(publicJwk: PublicJwk, key: KeyObject): PrivateJwk {
  const { d, p, q, dp, dq, qi } = key.export({ format: "jwk" });
  if (!d || !p || !q || !dp || !dq || !qi)
    throw new UsageError("--key: the key has no complete private RSA parts (d, p, q, dp, dq, qi) to export");
  return { ...publicJwk, d, p, q, dp, dq, qi };
}
