/** `maskinporten token`: the commander side; the work is in `cli/actions/token.ts`. */
import type { Command } from "commander";
import { tokenCommand, type TokenCommandOptions } from "../actions/token";
import type { CliContext } from "../io";
import { action, collect } from "./action";

export function registerTokenCommand(program: Command, ctx: CliContext): Command {
  return program
    .command("token")
    .description("get an access token for a client and show its claims: the smoke test that a client, its key and its scopes work")
    .requiredOption("--client-id <id>", "the client_id of the Maskinporten client")
    .requiredOption("--key <file>", "the client's private key: a private JWK, its base64 (altinn-jwks), or PEM with --kid; - reads stdin")
    .option("--scope <scope>", "a scope to request (required); repeat it, or separate scopes with spaces", collect)
    .option("--kid <kid>", "the kid the public key is registered with (required for a PEM key; wins over the JWK's)")
    .option("--resource <url>", "audience restriction (the resource claim); repeatable", collect)
    .option("--environment <env>", "test or prod (default: MASKINPORTEN_ENVIRONMENT)")
    .option("--issuer <url>", "Maskinporten's issuer, for another server such as the simulator (default: MASKINPORTEN_ISSUER)")
    .option("--altinn", "also exchange the token for an Altinn token")
    .option("--altinn-url <url>", "Altinn's exchange endpoint, for another server such as the simulator (default: the environment's)")
    .option("--json", "print JSON for programs: the token, its header and claims")
    .option("--raw", "print only the token (the Altinn token with --altinn), for scripts")
    .addHelpText(
      "after",
      `
The token goes to stdout: treat the output as a secret. Errors go to stderr and never hold a key or token.
Exit codes: 0 a token was issued, 1 Maskinporten (or Altinn) refused or could not be reached, 2 bad usage or key.

Examples:
  $ maskinporten token --environment test --client-id 0a1b2c3d-... --key keys/testklient-TEST.2025-01-31.jwk.json --scope altinn:instances.read
  $ az keyvault secret show ... --query value -o tsv | maskinporten token --environment prod --client-id ... --key - --scope altinn:instances.read --altinn
  $ maskinporten token --issuer http://127.0.0.1:PORT/ --client-id ... --key key.pem --kid myclient-TEST.2025-01-31 --scope difitest:open --raw`,
    )
    .action(action(ctx, "token", (opts: TokenCommandOptions) => tokenCommand(opts, ctx.io)));
}
