#!/usr/bin/env node
// Interim main job: starts the simulator and says what it serves. Replaced by a real `pulumi up` of the
// quickstart once the resources exist.
const { startSimulator } = require("../dist/simulator");

async function main() {
  const sim = await startSimulator({ quiet: true });
  console.log(`Maskinporten simulator at ${sim.url}`);
  console.log(`  issuer:         ${sim.issuer}`);
  console.log(`  token endpoint: ${sim.tokenEndpoint}`);
  console.log(`  admin API:      ${sim.apiBaseUrl}`);
  for (const org of sim.orgs) console.log(`  ${org.orgno} ${org.name}: admin client ${org.adminClientId}`);
  await sim.close();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
