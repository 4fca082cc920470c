/**
 * `maskinporten keys create NAME`: a key pair per environment with altinn-jwks' kids, written to files with
 * the private ones readable by their owner only, or printed as one JSON document.
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import { JWK_ALGORITHMS, type JwkAlgorithm } from "../../provider/api/jwk-constants";
import { DEFAULT_MODULUS_LENGTH, generateAltinnKeyPairs, MODULUS_LENGTHS, type AltinnKeyPair, type ModulusLength } from "../../sdk/keys";
import { ensureDirectory, EXIT, listValues, printJson, UsageError, writeNewFile, type CliIo } from "../io";

export interface KeysCreateOptions {
  env?: string | readonly string[];
  algorithm?: string;
  size?: string;
  out?: string;
  date?: string;
  force?: boolean;
}

/** The files written for one key pair, by what they hold. */
export interface KeyFiles {
  privateJwk: string;
  privateBase64: string;
  privatePem: string;
  publicJwk: string;
  publicJwks: string;
}

/** File names of a key pair in `dir`: `<kid>.jwk.json` and friends. */
export function keyFiles(dir: string, kid: string): KeyFiles {
  return {
    privateJwk: join(dir, `${kid}.jwk.json`),
    privateBase64: join(dir, `${kid}.jwk.base64`),
    privatePem: join(dir, `${kid}.pem`),
    publicJwk: join(dir, `${kid}.public.jwk.json`),
    publicJwks: join(dir, `${kid}.maskinporten.json`),
  };
}

export async function keysCreateCommand(name: string, opts: KeysCreateOptions, io: CliIo): Promise<number> {
  const environments = listValues(opts.env ?? ["TEST", "PROD"]).map((e) => e.toUpperCase());
  if (environments.length === 0 || environments.some((e) => !/^[A-Z0-9]+$/.test(e))) {
    throw new UsageError("--env: give environment names of letters and digits separated by commas, e.g. --env TEST,PROD");
  }
  const algorithm = algorithmOf(opts.algorithm);
  const modulusLength = sizeOf(opts.size);
  const date = dateOf(opts.date, io);
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new UsageError(
      `NAME "${name}" may hold letters, digits, ".", "_" and "-" only (it becomes part of the kid, e.g. ${name.replace(/[^A-Za-z0-9._-]/g, "") || "myclient"}-TEST.<date>)`,
    );
  }

  const pairs = await generateAltinnKeyPairs(name, { environments, algorithm, modulusLength, date });
  if (opts.out === undefined) {
    printJson(io, {
      name,
      created: date.toISOString(),
      keys: pairs.map((p) => ({
        environment: p.environment,
        kid: p.kid,
        alg: p.alg,
        bits: modulusLength,
        thumbprint: p.thumbprint,
        publicJwk: p.publicJwk,
        privateJwk: p.privateJwk,
        privateJwkBase64: p.privateJwkBase64,
      })),
    });
    io.stderr.write(
      `maskinporten keys create: the JSON on stdout holds the PRIVATE keys ${pairs.map((p) => p.kid).join(", ")}: ` +
        "keep it in a secret store, never in a repository or a log. Use --out DIR to write them to files (mode 0600) instead.\n",
    );
    return EXIT.OK;
  }

  await ensureDirectory(opts.out, "--out");
  if (!opts.force) await refuseExisting(pairs.flatMap((p) => Object.values(keyFiles(opts.out!, p.kid))));
  const written = [];
  for (const pair of pairs) written.push(await writePair(opts.out, pair, !!opts.force));
  const lines = [`Created ${pairs.length} key pair${pairs.length === 1 ? "" : "s"} (${algorithm}, ${modulusLength} bits) in ${opts.out}:`];
  for (const [i, pair] of pairs.entries()) {
    const files = written[i]!;
    lines.push(
      ``,
      `${pair.environment}  ${pair.kid}`,
      `  private JWK          ${files.privateJwk}   (secret, mode 0600)`,
      `  private JWK, base64  ${files.privateBase64}   (secret: for Azure Key Vault and other vaults)`,
      `  private PEM          ${files.privatePem}   (secret: use it with --kid ${pair.kid})`,
      `  public JWK           ${files.publicJwk}   (for a ClientKey's publicKey)`,
      `  public JWKS          ${files.publicJwks}   (for the self-service portal)`,
    );
  }
  lines.push("", "Register the public keys on the clients (TEST key in the test environment, PROD key in prod):");
  for (const pair of pairs) lines.push(`${pair.environment}: ${JSON.stringify([pair.publicJwk])}`);
  lines.push("", "Keep the private files out of version control; store them in a vault and delete the local copies.");
  io.stdout.write(`${lines.join("\n")}\n`);
  return EXIT.OK;
}

async function writePair(dir: string, pair: AltinnKeyPair, overwrite: boolean): Promise<KeyFiles> {
  const files = keyFiles(dir, pair.kid);
  const contents: [keyof KeyFiles, string, boolean][] = [
    ["privateJwk", `${pair.privateJwkJson}\n`, true],
    ["privateBase64", `${pair.privateJwkBase64}\n`, true],
    ["privatePem", pair.privateKeyPem, true],
    ["publicJwk", `${JSON.stringify(pair.publicJwk, null, 2)}\n`, false],
    ["publicJwks", `${JSON.stringify([pair.publicJwk])}\n`, false],
  ];
  for (const [which, content, secret] of contents) await writeNewFile(files[which], content, { secret, overwrite, flag: "--out" });
  return files;
}

/** Checked before writing anything, so a name clash leaves no half-written set behind. */
async function refuseExisting(paths: string[]): Promise<void> {
  const existing = [];
  for (const path of paths) if (await exists(path)) existing.push(path);
  if (existing.length > 0) {
    const what =
      existing.length === 1 ? `${existing[0]} already exists` : `${existing[0]} and ${existing.length - 1} more files already exist`;
    throw new UsageError(`--out: ${what}; choose another NAME, --date or --out directory, or add --force to replace them`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function algorithmOf(value: string | undefined): JwkAlgorithm {
  const alg = (value ?? "RS256").toUpperCase();
  if (!JWK_ALGORITHMS.includes(alg as JwkAlgorithm)) {
    throw new UsageError(
      `--algorithm must be one of ${JWK_ALGORITHMS.join(", ")} (got ${JSON.stringify(value)}); Maskinporten documents RS256`,
    );
  }
  return alg as JwkAlgorithm;
}

function sizeOf(value: string | undefined): ModulusLength {
  if (value === undefined) return DEFAULT_MODULUS_LENGTH;
  const n = Number(value);
  if (!MODULUS_LENGTHS.includes(n as ModulusLength)) {
    throw new UsageError(
      `--size must be one of ${MODULUS_LENGTHS.join(", ")} bits (got ${JSON.stringify(value)}); Maskinporten requires at least 2048`,
    );
  }
  return n as ModulusLength;
}

function dateOf(value: string | undefined, io: CliIo): Date {
  if (value === undefined) return io.now();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`--date must be a date as YYYY-MM-DD (got ${JSON.stringify(value)}); it goes into the kids`);
  }
  return date;
}
