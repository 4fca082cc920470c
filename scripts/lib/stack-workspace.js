/**
 * Opens a Pulumi stack of a project directory with the real engine, a local file backend and a private
 * PULUMI_HOME, and points it at a Maskinporten simulator. Shared by `npm start`, the end-to-end tests, the
 * benchmarks and the soak test.
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { ensurePulumi, engineEnv } = require("../ensure-pulumi.js");

/**
 * @param {{ projectDir: string, stackName: string, stateDir: string, passphrase?: string, env?: Record<string, string> }} options
 */
async function openStack(options) {
  const { LocalWorkspace, PulumiCommand } = require("@pulumi/pulumi/automation");
  const engine = await ensurePulumi();
  const home = path.join(options.stateDir, "home");
  const backend = path.join(options.stateDir, "backend");
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(backend, { recursive: true });
  const envVars = engineEnv(engine.binDir, {
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: options.passphrase ?? "maskinporten-local",
    ...options.env,
  });
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(engine.binDir) });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: options.stackName, workDir: options.projectDir },
    { pulumiCommand, envVars },
  );
  return { stack, envVars, engine };
}

/**
 * Stack config for a simulator: its URLs, and one credential profile per organisation (admin client id and
 * its private key as a secret), as a user would set them with `pulumi config set --secret --path`.
 *
 * @param {import("@pulumi/pulumi/automation").Stack} stack
 * @param {{ issuer: string, apiBaseUrl: string, orgs: { orgno: string, adminClientId: string, adminKey: object }[] }} sim
 * @param {Record<string, string>} profiles profile name → organisation number
 */
async function configureForSimulator(stack, sim, profiles) {
  const config = {
    "maskinporten:issuer": { value: sim.issuer },
    "maskinporten:apiBaseUrl": { value: sim.apiBaseUrl },
  };
  for (const [name, orgno] of Object.entries(profiles)) {
    const org = sim.orgs.find((o) => o.orgno === orgno);
    if (!org) throw new Error(`the simulator has no organisation ${orgno}`);
    config[`maskinporten:profiles.${name}.clientId`] = { value: org.adminClientId };
    config[`maskinporten:profiles.${name}.privateKey`] = { value: JSON.stringify(org.adminKey), secret: true };
  }
  await stack.setAllConfig(config, true);
}

module.exports = { openStack, configureForSimulator };
