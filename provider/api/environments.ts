/**
 * Where Maskinporten lives: the `test` and `prod` environments with Digdir's real URLs, or explicit URLs (the
 * simulator, a proxy). The token endpoint and the `aud` of a grant come from the issuer's metadata.
 */
import { ConfigError } from "./errors";
import { assertSecureUrl } from "./url-policy";

export const ENVIRONMENT_NAMES = ["test", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export interface Endpoints {
  /** `test`, `prod`, or `custom` for explicit URLs. */
  name: EnvironmentName | "custom";
  /** Maskinporten's issuer, trailing slash included. */
  issuer: string;
  /** The self-service API base, ending in `/api/v1`, without a trailing slash. */
  apiBaseUrl: string;
  /** Altinn's token exchange endpoint for Maskinporten tokens. */
  altinnExchangeUrl?: string;
}

export const ENVIRONMENTS: Readonly<Record<EnvironmentName, Endpoints>> = {
  test: {
    name: "test",
    issuer: "https://test.maskinporten.no/",
    apiBaseUrl: "https://api.test.samarbeid.digdir.no/api/v1",
    altinnExchangeUrl: "https://platform.tt02.altinn.no/authentication/api/v1/exchange/maskinporten",
  },
  prod: {
    name: "prod",
    issuer: "https://maskinporten.no/",
    apiBaseUrl: "https://api.samarbeid.digdir.no/api/v1",
    altinnExchangeUrl: "https://platform.altinn.no/authentication/api/v1/exchange/maskinporten",
  },
};

export interface EnvironmentSettings {
  environment?: string;
  issuer?: string;
  apiBaseUrl?: string;
  altinnExchangeUrl?: string;
}

/**
 * Resolves settings into endpoints. Explicit URLs override the named environment's; without a name, the
 * issuer and API URL are both required. `field` maps a setting to the name the user wrote it under.
 */
export function resolveEndpoints(settings: EnvironmentSettings, field: (key: keyof EnvironmentSettings) => string): Endpoints {
  const { environment } = settings;
  let base: Endpoints | undefined;
  if (environment !== undefined) {
    if (!ENVIRONMENT_NAMES.includes(environment as EnvironmentName)) {
      throw new ConfigError(
        field("environment"),
        `must be "test" or "prod" (got ${JSON.stringify(environment)}); for the simulator or another server leave it out and set ${field("issuer")} and ${field("apiBaseUrl")}`,
      );
    }
    base = ENVIRONMENTS[environment as EnvironmentName];
  }
  const issuer = settings.issuer ?? base?.issuer;
  const apiBaseUrl = settings.apiBaseUrl ?? base?.apiBaseUrl;
  if (issuer === undefined || apiBaseUrl === undefined) {
    throw new ConfigError(
      field(issuer === undefined ? "issuer" : "apiBaseUrl"),
      `is not set: set ${field("environment")} to "test" or "prod", or set both ${field("issuer")} and ${field("apiBaseUrl")} (the simulator prints them when it starts)`,
      "MISSING_CONFIG",
    );
  }
  const altinn = settings.altinnExchangeUrl ?? base?.altinnExchangeUrl;
  const custom = settings.issuer !== undefined || settings.apiBaseUrl !== undefined;
  return {
    name: custom ? "custom" : base!.name,
    issuer: withTrailingSlash(assertSecureUrl(issuer, field("issuer")).href),
    apiBaseUrl: assertSecureUrl(apiBaseUrl, field("apiBaseUrl")).href.replace(/\/+$/, ""),
    ...(altinn !== undefined && { altinnExchangeUrl: assertSecureUrl(altinn, field("altinnExchangeUrl")).href }),
  };
}

function withTrailingSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

/** The issuer's metadata document: `<issuer>.well-known/oauth-authorization-server`. */
export function metadataUrl(issuer: string): string {
  return `${withTrailingSlash(issuer)}.well-known/oauth-authorization-server`;
}
