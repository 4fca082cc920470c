/** The error `startSimulator`, the control hooks and the CLI raise for bad options (not for API answers). */
export class SimulatorOptionError extends Error {
  constructor(
    /** The option at fault, e.g. `orgs[1].orgno` or `variant.createAnswer`. */
    readonly option: string,
    problem: string,
  ) {
    super(`${option}: ${problem}`);
    this.name = "SimulatorOptionError";
  }
}
