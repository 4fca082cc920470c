/** `startSimulator`: builds or loads the state, wires the parts together and listens on loopback. */
import { createServer, type Server } from "node:http";
import { isIP } from "node:net";
import { resolve as resolvePath } from "node:path";
import { apiRouter } from "./api/routes";
import { ALTINN_EXCHANGE_PATH, AltinnExchange } from "./altinn-exchange";
import { AuthServer, type ServerUrls } from "./auth-server";
import { ChainVerifier, TestCa, createCaMaterial } from "./ca";
import { Clock } from "./clock";
import { SimulatorControl } from "./control";
import { ControlRoutes } from "./control-routes";
import { FaultInjector } from "./faults";
import { generateRsaKeyPair } from "./keys";
import { RequestLog } from "./request-log";
import { SimulatorOptionError } from "./errors";
import {
  DEFAULT_ORGS,
  adminGrants,
  applySeedSwitches,
  buildSeedState,
  createOrgRecord,
  createOrgRecords,
  selfServiceClients,
  validateSeeds,
} from "./seed";
import { SimulatorServer } from "./server";
import { StateFile, Store, type OrgRecord } from "./state";
import type {
  AdminCertificate,
  BusinessCertificateOptions,
  OrgSeed,
  SimulatorHandle,
  SimulatorOptions,
  SimulatorOrg,
  StartupInfo,
} from "./types";
import { layerVariant, resolveVariant, type SimulatorSwitches, type VariantSpec } from "./variant";

export function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}

function checkOptions(options: SimulatorOptions): { host: string; port: number; switches: SimulatorSwitches } {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host) && !options.allowNonLoopback) {
    throw new SimulatorOptionError(
      "host",
      `${JSON.stringify(host)} is not a loopback address; the simulator has no real security, so it listens on 127.0.0.1 unless explicitly allowed (allowNonLoopback, --allow-non-loopback)`,
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new SimulatorOptionError("port", `must be a whole number 0..65535 (0 picks a free port), got ${String(port)}`);
  const delay = options.propagationDelayMs ?? 0;
  if (typeof delay !== "number" || !(delay >= 0))
    throw new SimulatorOptionError("propagationDelayMs", "must be a number of milliseconds >= 0");
  if (options.orgs) validateSeeds(options.orgs);
  return { host, port, switches: resolveVariant(options.variant) };
}

function orgView(org: OrgRecord): SimulatorOrg {
  return {
    orgno: org.orgno,
    name: org.name,
    prefixes: [...org.prefixes],
    adminClientId: org.adminClientId!,
    adminKey: { ...org.adminKey! },
    adminScopes: [...org.adminScopes],
    certificateClientId: org.certificateClientId!,
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const { host, port, switches } = checkOptions(options);
  const clock = new Clock(options.clockOffsetSeconds ?? 0);
  const store = new Store(clock, options.propagationDelayMs ?? 0);
  store.switches = switches;
  const logger = options.quiet === false ? (line: string) => void process.stderr.write(`${line}\n`) : () => undefined;

  const stateFilePath = options.stateFile ? resolvePath(options.stateFile) : undefined;
  let state = stateFilePath ? await StateFile.read(stateFilePath) : undefined;
  if (state) {
    logger(`simulator: loaded state from ${stateFilePath}`);
  } else {
    const [orgs, signing, caMaterial] = await Promise.all([
      createOrgRecords(options.orgs ?? DEFAULT_ORGS, clock, switches),
      generateRsaKeyPair(`simulator-signing-${clock.nowSeconds()}`),
      createCaMaterial(clock.date()),
    ]);
    state = buildSeedState(orgs, signing.privateJwk, caMaterial, clock, switches);
  }
  store.load(state);
  applySeedSwitches(store, switches);
  const stateFile = stateFilePath ? new StateFile(stateFilePath, store) : undefined;
  if (stateFile) await stateFile.flush();

  const urls: ServerUrls = { url: "", issuer: "", tokenEndpoint: "", jwksUri: "" };
  const verifier = new ChainVerifier([store.ca.certificatePem, ...(options.trustedCaPems ?? [])]);
  const ca = new TestCa(store.ca, clock, (orgno) => store.orgName(orgno));
  const auth = new AuthServer(store, clock, verifier, urls);
  const faults = new FaultInjector(options.faultSeed ?? 1);
  const log = new RequestLog(options.requestLogLimit);
  const apiRoutes = apiRouter();
  const apiDeps = { store, clock, auth, urls };
  const sim = new SimulatorServer({ ...apiDeps, faults, log, stateFile, apiRoutes, logger, verbose: !!options.verbose });
  sim
    .route("GET", "/.well-known/oauth-authorization-server", "metadata", () => auth.metadata())
    .route("GET", "/jwk", "metadata", () => auth.jwks())
    .route("POST", "/token", "token", (req, facts) => auth.token(req, facts));
  const altinn = new AltinnExchange(auth, clock, urls);
  sim.route("GET", ALTINN_EXCHANGE_PATH, "exchange", (req, facts) => altinn.exchange(req, facts));

  const orgsWithCredentials = () =>
    [...store.orgs.values()].filter((o) => o.adminClientId && o.adminKey && o.certificateClientId).map(orgView);
  const info = (): StartupInfo => ({
    url: urls.url,
    issuer: urls.issuer,
    token_endpoint: urls.tokenEndpoint,
    jwks_uri: urls.jwksUri,
    api_base_url: `${urls.url}/api/v1`,
    control_url: `${urls.url}/__sim`,
    altinn_exchange_url: `${urls.url}${ALTINN_EXCHANGE_PATH}`,
    digdir_orgno: store.digdirOrgno,
    ca_certificate_pem: ca.certificatePem,
    variant: { ...store.switches },
    orgs: orgsWithCredentials().map((o) => ({
      orgno: o.orgno,
      name: o.name,
      prefixes: o.prefixes,
      admin_client_id: o.adminClientId,
      admin_key: o.adminKey,
      admin_scopes: o.adminScopes,
      certificate_client_id: o.certificateClientId,
    })),
  });

  const addOrg = async (seed: OrgSeed): Promise<SimulatorOrg> => {
    validateSeeds([seed]);
    if (store.orgs.has(seed.orgno)) throw new SimulatorOptionError("orgno", `organisation ${seed.orgno} already exists`);
    for (const prefix of seed.prefixes ?? []) {
      if (store.prefixOwners.has(prefix))
        throw new SimulatorOptionError("prefixes", `prefix "${prefix}" is already owned by ${store.prefixOwners.get(prefix)}`);
    }
    const org = await createOrgRecord(seed, clock, store.switches);
    store.addOrg(org);
    for (const client of selfServiceClients(org, clock, store.switches)) {
      store.putClient(client);
      if (client.keys.length > 0) store.keyView.publish(client.client_id, client.keys, clock.nowMs(), true);
    }
    for (const grant of adminGrants(org, clock)) store.putGrant(grant);
    await stateFile?.flush();
    return orgView(org);
  };

  const reset = async (): Promise<void> => {
    const orgs = [...store.orgs.values()].filter((o) => o.orgno !== store.digdirOrgno);
    store.load(buildSeedState(orgs, store.signingKey, store.ca, clock, store.switches));
    applySeedSwitches(store, store.switches);
    await stateFile?.flush();
  };

  const setVariant = (spec: VariantSpec): SimulatorSwitches => {
    store.switches = layerVariant(store.switches, spec);
    applySeedSwitches(store, store.switches);
    return { ...store.switches };
  };

  const adminCertificate = async (orgno: string, opts?: BusinessCertificateOptions): Promise<AdminCertificate> => {
    const clientId = store.orgs.get(orgno)?.certificateClientId;
    if (!clientId) throw new SimulatorOptionError("orgno", `organisation ${JSON.stringify(orgno)} has no seeded self-service client`);
    return { clientId, ...(await ca.issueBusinessCertificate(orgno, opts)) };
  };

  sim.control = new ControlRoutes({
    store,
    clock,
    faults,
    log,
    ca,
    verifier,
    apiDeps,
    apiRoutes,
    stateFile,
    info,
    addOrg,
    reset,
    setVariant,
    adminCertificate,
  });

  const httpServer = createServer({ keepAliveTimeout: 5000 }, sim.listener);
  const actualPort = await listen(httpServer, port, host);
  const hostPart = host.includes(":") ? `[${host}]` : host;
  urls.url = `http://${hostPart}:${actualPort}`;
  urls.issuer = `${urls.url}/`;
  urls.tokenEndpoint = `${urls.url}/token`;
  urls.jwksUri = `${urls.url}/jwk`;
  logger(`simulator: Maskinporten simulator listening on ${urls.url} (issuer ${urls.issuer}, API ${urls.url}/api/v1)`);

  let closing: Promise<void> | undefined;
  const handle: SimulatorHandle = {
    url: urls.url,
    issuer: urls.issuer,
    tokenEndpoint: urls.tokenEndpoint,
    jwksUri: urls.jwksUri,
    apiBaseUrl: `${urls.url}/api/v1`,
    altinnExchangeUrl: `${urls.url}${ALTINN_EXCHANGE_PATH}`,
    port: actualPort,
    get orgs() {
      return orgsWithCredentials();
    },
    digdirOrgno: store.digdirOrgno,
    ca: {
      certificatePem: ca.certificatePem,
      issueBusinessCertificate: (orgno, opts) => ca.issueBusinessCertificate(orgno, opts),
    },
    control: new SimulatorControl(urls.url),
    get switches() {
      return { ...store.switches };
    },
    setVariant,
    adminCertificate,
    startupInfo: info,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
        await stateFile?.flush();
        logger("simulator: stopped");
      })();
      return closing;
    },
  };
  return handle;
}
