/**
 * A faithful local Maskinporten: token endpoint and self-service API v1, with test hooks under `/__sim/`.
 *
 *   const sim = await startSimulator();
 *   // sim.issuer, sim.tokenEndpoint, sim.apiBaseUrl, sim.orgs[0].adminKey, sim.control.addFault(...)
 *   await sim.close();
 */
import "../provider/api/node-support"; // first: refuses an unsupported Node.js before undici or jose load
export { startSimulator, isLoopback } from "./start";
export { SimulatorControl, PortalClient, SimulatorControlError } from "./control";
export type { ClockState, RawResponse, RequestLogQuery, SimulatorState } from "./control";
export { SimulatorOptionError } from "./errors";
export { PRESETS, SWITCHES, SWITCH_NAMES, WRITE_ANSWERS, parseSwitchAssignment, preset, resolveVariant } from "./variant";
export type { PresetName, SimulatorSwitches, SwitchName, VariantSpec, WriteAnswer } from "./variant";
export {
  DEFAULT_ORGS,
  DEFAULT_ORGNOS,
  DIGDIR_ORGNO,
  DIGDIR_NAME,
  OPEN_CATALOGUE_SCOPE,
  RESTRICTED_CATALOGUE_SCOPE,
  STANDARD_ADMIN_SCOPES,
  adminClientIdOf,
  certificateClientIdOf,
} from "./seed";
export type {
  AdminCertificate,
  BusinessCertificate,
  BusinessCertificateOptions,
  FaultKind,
  FaultRule,
  FaultRuleState,
  OrgSeed,
  RequestCounters,
  RequestKind,
  RequestLogEntry,
  SimulatorCa,
  SimulatorHandle,
  SimulatorOptions,
  SimulatorOrg,
  StartupInfo,
  StartupOrg,
} from "./types";
