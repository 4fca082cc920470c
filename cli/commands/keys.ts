/** `maskinporten keys create|export|list`: the commander side; the work is in `cli/actions/keys-*.ts`. */
import type { Command } from "commander";
import { keysCreateCommand, type KeysCreateOptions } from "../actions/keys-create";
import { EXPORT_FORMATS, keysExportCommand, type KeysExportOptions } from "../actions/keys-export";
import { keysListCommand, type KeysListOptions } from "../actions/keys-list";
import { DEFAULT_MODULUS_LENGTH } from "../../provider/keys/generate";
import type { CliContext } from "../io";
import { action } from "./action";

export function registerKeysCommand(program: Command, ctx: CliContext): Command {
  const keys = program
    .command("keys")
    .description("make, convert and inspect the key pairs Maskinporten clients sign their token requests with")
    .addHelpText(
      "after",
      `
The usual flow:
  $ maskinporten keys create myclient --out ./keys        # TEST and PROD key pairs, altinn-jwks kids
  $ maskinporten keys export public --key ./keys/myclient-TEST.<date>.jwk.json   # paste in the portal
  $ maskinporten keys export base64 --key ./keys/myclient-TEST.<date>.jwk.json   # store in a vault
  $ maskinporten token --environment test --client-id ID --key ./keys/myclient-TEST.<date>.jwk.json --scope SCOPE
  $ maskinporten keys list --client-id ID --environment test   # every key and when it expires`,
    );

  keys
    .command("create")
    .description("make a key pair per environment, with altinn-jwks' kids <NAME>-TEST.<yyyy-mm-dd> and <NAME>-PROD.<yyyy-mm-dd>")
    .argument("<NAME>", "short name of the client, the start of each kid (letters, digits, '.', '_', '-')")
    .option("--env <list>", "environments, comma-separated", "TEST,PROD")
    .option("--algorithm <alg>", "RS256, RS384 or RS512", "RS256")
    .option("--size <bits>", "RSA modulus length: 2048, 3072 or 4096", String(DEFAULT_MODULUS_LENGTH))
    .option("--out <dir>", "write the keys to files in this directory (private ones with mode 0600) instead of printing them")
    .option("--date <yyyy-mm-dd>", "the date in the kids (default: today, UTC)")
    .option("--force", "with --out, replace files that already exist")
    .addHelpText(
      "after",
      `
With --out DIR, each key pair <kid> becomes
  <kid>.jwk.json            private JWK (secret; what 'maskinporten token' and getAccessToken read)
  <kid>.jwk.base64          private JWK as base64, as 'altinn-jwks export key --base64' (secret; for vaults)
  <kid>.pem                 private key as PKCS#8 PEM (secret; use with --kid <kid>)
  <kid>.public.jwk.json     public JWK (for a ClientKey's publicKey)
  <kid>.maskinporten.json   public JWK in an array, as 'altinn-jwks export maskinporten' (for the portal)
Without --out, one JSON document with the public and PRIVATE keys goes to stdout.

Examples:
  $ maskinporten keys create testklient --out ./keys
  $ maskinporten keys create testklient --env TEST --size 4096 > testklient.secret.json`,
    )
    .action(action(ctx, "keys create", (name: string, opts: KeysCreateOptions) => keysCreateCommand(name, opts, ctx.io)));

  keys
    .command("export")
    .description("print a key in another form: the public JWK for the portal, the private JWK, its base64 for a vault, PEM")
    .argument("<FORMAT>", Object.keys(EXPORT_FORMATS).join(" | "))
    .requiredOption(
      "--key <file>",
      "the key: a private JWK, its base64, or a PEM key (- reads stdin); public formats also take a public key or certificate",
    )
    .option("--kid <kid>", "the key id, when the input has none (a PEM key) or should get another")
    .option("--out <file>", "write to this file (mode 0600 for private forms) instead of stdout")
    .option("--force", "with --out, replace an existing file")
    .addHelpText(
      "after",
      `
Formats:
${Object.entries(EXPORT_FORMATS)
  .map(([name, text]) => `  ${name.padEnd(11)} ${text}`)
  .join("\n")}

Examples:
  $ maskinporten keys export public --key keys/testklient-TEST.2025-01-31.jwk.json
  $ maskinporten keys export base64 --key keys/testklient-TEST.2025-01-31.jwk.json --out vault.txt
  $ maskinporten keys export private --key vault.txt             # the base64 form back to a JWK
  $ maskinporten keys export private --key key.pem --kid myclient-2025   # a PEM key into a JWK
  $ az keyvault secret show ... --query value -o tsv | maskinporten keys export public --key -`,
    )
    .action(action(ctx, "keys export", (format: string, opts: KeysExportOptions) => keysExportCommand(format, opts, ctx.io)));

  keys
    .command("list")
    .description("list every key registered on a client with its size and expiry, managed by Pulumi or not")
    .requiredOption("--client-id <id>", "the client whose keys to list")
    .option("--environment <env>", "test or prod (default: MASKINPORTEN_ENVIRONMENT)")
    .option("--issuer <url>", "Maskinporten's issuer, for another server such as the simulator (with --api-base-url)")
    .option("--api-base-url <url>", "the self-service API, for another server such as the simulator (with --issuer)")
    .option("--admin-client-id <id>", "the admin (self-service) client (default: MASKINPORTEN_CLIENT_ID)")
    .option("--admin-key <file>", "the admin client's private key file, - for stdin (default: MASKINPORTEN_PRIVATE_KEY)")
    .option("--admin-kid <kid>", "the admin key's kid, for a PEM key (default: MASKINPORTEN_KID)")
    .option("--profile <name>", "use this profile of MASKINPORTEN_PROFILES as the admin credential")
    .option("--warn-days <n>", "flag keys that expire within this many days", "30")
    .option("--fail-on-expiring", "exit with 3 when a key has expired or expires within --warn-days (for scheduled checks)")
    .option("--pulumi-state <file>", "a `pulumi stack export` file: show which keys its ClientKey resources manage")
    .option("--json", "print JSON for programs")
    .addHelpText(
      "after",
      `
The admin credentials and the environment are read as the provider reads them: MASKINPORTEN_ENVIRONMENT
(or MASKINPORTEN_ISSUER and MASKINPORTEN_API_BASE_URL), MASKINPORTEN_CLIENT_ID and MASKINPORTEN_PRIVATE_KEY
(with MASKINPORTEN_KID for PEM), or MASKINPORTEN_P12 and MASKINPORTEN_P12_PASSWORD. Flags win. Only
idporten:dcr.read is requested unless MASKINPORTEN_ADMIN_SCOPES says otherwise.

Exit codes: 0 listed, 1 the API or the token endpoint failed, 2 bad usage,
3 with --fail-on-expiring when a key has expired or expires within --warn-days.

Examples:
  $ maskinporten keys list --client-id 0a1b2c3d-... --environment test
  $ maskinporten keys list --client-id 0a1b2c3d-... --warn-days 60 --fail-on-expiring --json
  $ pulumi stack export --file state.json && maskinporten keys list --client-id 0a1b2c3d-... --pulumi-state state.json`,
    )
    .action(action(ctx, "keys list", (opts: KeysListOptions) => keysListCommand(opts, ctx.io)));

  return keys;
}
