/**
 * `maskinporten token`: gets an access token for a client and shows it with its decoded header and claims,
 * optionally exchanged for an Altinn token. The smoke test that a client, its key and its scopes work.
 */
import { exchangeWith, tokenFor, clearTokenCache, type OptionNames, type TokenOptions } from "../../provider/api/consumer-tokens";
import { decodeJwt, isoSeconds, relative, timeClaimLines } from "../format";
import { EXIT, listValues, printJson, readInput, UsageError, type CliIo } from "../io";

export interface TokenCommandOptions {
  clientId: string;
  key: string;
  scope?: readonly string[];
  kid?: string;
  resource?: readonly string[];
  environment?: string;
  issuer?: string;
  altinn?: boolean;
  altinnUrl?: string;
  json?: boolean;
  raw?: boolean;
}

const FLAG_NAMES: OptionNames = {
  environment: "--environment",
  issuer: "--issuer",
  clientId: "--client-id",
  key: "--key",
  kid: "--kid",
  scopes: "--scope",
  resource: "--resource",
  url: "--altinn-url",
};

export async function tokenCommand(opts: TokenCommandOptions, io: CliIo): Promise<number> {
  if (opts.json && opts.raw) throw new UsageError("--json and --raw exclude each other; pick one");
  const scopes = listValues(opts.scope);
  if (scopes.length === 0)
    throw new UsageError("--scope is required: name at least one scope of the client, e.g. --scope altinn:instances.read");
  const where = environmentOf(opts, io);
  const key = await readInput(io, opts.key, "--key");
  try {
    const request: TokenOptions = {
      ...where.options,
      clientId: opts.clientId,
      key,
      scopes,
      ...(opts.kid !== undefined && { kid: opts.kid }),
      ...(opts.resource !== undefined &&
        opts.resource.length > 0 && { resource: opts.resource.length === 1 ? opts.resource[0]! : [...opts.resource] }),
    };
    const token = await tokenFor(request, { ...FLAG_NAMES, ...where.names });
    let altinnToken: string | undefined;
    if (opts.altinn) {
      const altinnUrl = opts.altinnUrl ?? nonEmpty(io.env["MASKINPORTEN_ALTINN_EXCHANGE_URL"]);
      const urlName = opts.altinnUrl !== undefined ? "--altinn-url" : "MASKINPORTEN_ALTINN_EXCHANGE_URL";
      if (altinnUrl === undefined && where.options.environment === undefined) {
        throw new UsageError(
          "--altinn: give --altinn-url (the simulator prints altinn_exchange_url) or use --environment test|prod, where Altinn's URL is known",
        );
      }
      altinnToken = await exchangeWith(
        token.accessToken,
        altinnUrl !== undefined ? { url: altinnUrl } : { environment: where.options.environment! },
        { environment: where.names.environment ?? "--environment", url: urlName },
      );
    }
    const now = io.now();
    if (opts.raw) {
      io.stdout.write(`${altinnToken ?? token.accessToken}\n`);
    } else if (opts.json) {
      printJson(io, {
        client_id: opts.clientId,
        kid: token.kid,
        scope: token.scope,
        token_type: token.tokenType,
        expires_at: token.expiresAt.toISOString(),
        access_token: token.accessToken,
        ...(decodeJwt(token.accessToken) ?? {}),
        ...(altinnToken !== undefined && { altinn: { token: altinnToken, ...(decodeJwt(altinnToken) ?? {}) } }),
      });
    } else {
      io.stdout.write(
        `Access token for client ${opts.clientId} (kid ${token.kid}), scope "${token.scope}", ` +
          `expires ${isoSeconds(token.expiresAt)} (${relative(token.expiresAt, now)}):\n${token.accessToken}\n\n`,
      );
      io.stdout.write(describe(token.accessToken, now));
      if (altinnToken !== undefined) io.stdout.write(`\nAltinn token:\n${altinnToken}\n\n${describe(altinnToken, now)}`);
    }
    return EXIT.OK;
  } finally {
    await clearTokenCache();
  }
}

function describe(token: string, now: Date): string {
  const decoded = decodeJwt(token);
  if (!decoded) return "(the token is opaque, not a JWT: it has no claims to show)\n";
  return (
    `Header:\n${JSON.stringify(decoded.header, null, 2)}\n` +
    `Claims:\n${JSON.stringify(decoded.claims, null, 2)}\n` +
    timeClaimLines(decoded.claims, now)
      .map((l) => `  ${l}\n`)
      .join("")
  );
}

interface Where {
  options: Pick<TokenOptions, "environment" | "issuer">;
  names: Partial<Pick<OptionNames, "environment" | "issuer">>;
}

/** Flags first; without them MASKINPORTEN_ENVIRONMENT / MASKINPORTEN_ISSUER, as the provider reads them. */
function environmentOf(opts: TokenCommandOptions, io: CliIo): Where {
  if (opts.environment !== undefined && opts.issuer !== undefined) {
    throw new UsageError(
      "--environment and --issuer exclude each other: --environment test|prod for Digdir's, --issuer URL for another server such as the simulator",
    );
  }
  if (opts.environment !== undefined || opts.issuer !== undefined) {
    return { options: optionsOf(opts.environment, opts.issuer), names: {} };
  }
  const environment = nonEmpty(io.env["MASKINPORTEN_ENVIRONMENT"]);
  const issuer = nonEmpty(io.env["MASKINPORTEN_ISSUER"]);
  if (environment === undefined && issuer === undefined) {
    throw new UsageError(
      "say which Maskinporten to ask: --environment test|prod, or --issuer URL for the simulator (it prints its issuer), or set MASKINPORTEN_ENVIRONMENT",
    );
  }
  return { options: optionsOf(environment, issuer), names: { environment: "MASKINPORTEN_ENVIRONMENT", issuer: "MASKINPORTEN_ISSUER" } };
}

function optionsOf(environment: string | undefined, issuer: string | undefined): Where["options"] {
  return {
    ...(environment !== undefined && { environment: environment.toLowerCase() as TokenOptions["environment"] }),
    ...(issuer !== undefined && { issuer }),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
