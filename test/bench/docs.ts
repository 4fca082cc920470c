/**
 * docs/benchmarks.md, generated from docs/benchmarks.json (`npm run bench`) and docs/soak.json
 * (`npm run soak`): each command rewrites its JSON and the whole page, so the page always shows the last
 * run of each, with how it was measured.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../e2e/harness";
import { FAULT_LABELS } from "../soak/fault-plan";
import type { SoakReport } from "../soak/soak";
import { CRASH_PHASES, type CrashReport } from "../soak/crash";
import { CRITICAL_PATH } from "./latency-bound";
import { PHASE_TITLES, PHASES } from "./phases";
import { benchTables, peakDemand, targets } from "./report";
import type { BenchReport } from "./run";
import { markdownTable, ratio, seconds, type Table } from "./table";

const DOCS = join(REPO, "docs");

export function soakTables(report: SoakReport): Table[] {
  return [
    {
      title: "Fault soak",
      head: ["what", "count"],
      rows: [
        ["cycles (up → change → destroy)", String(report.cycles)],
        ["operations (up or destroy), each run until it succeeded", String(report.operations)],
        ["engine runs", String(report.engineRuns)],
        ["re-runs needed after a fault", String(report.reruns)],
        ["most runs one operation needed", String(report.mostAttempts)],
        ["invariant checks passed", String(report.checks)],
        ["duplicate clients found", String(report.duplicateClients)],
        ["orphaned keys found", String(report.orphanKeys)],
        ["orphaned grants found", String(report.orphanGrants)],
        ["secrets found in output or state", String(report.secretLeaks)],
        ["five keys on one client in one up: runs", String(report.fiveKeys.runs)],
        ["… of which registered all five", String(report.fiveKeys.allFiveRegistered)],
      ],
    },
    {
      title: "Faults injected",
      head: ["fault", "rules armed", "requests hit"],
      rows: FAULT_LABELS.map((l) => [l, String(report.faultsArmed[l]), String(report.faultHits[l])]),
    },
    {
      title: "Changes made between the two ups of a cycle",
      head: ["change", "cycles"],
      rows: Object.entries(report.changes).map(([change, count]) => [change, String(count)]),
    },
  ];
}

export function crashTables(report: CrashReport): Table[] {
  const pending = Object.entries(report.recovery.pending);
  return [
    {
      title: "Crash soak",
      head: ["what", "count"],
      rows: [
        ["runs (one kill -9 of the engine each)", String(report.runs)],
        ...CRASH_PHASES.map((phase): [string, string] => [`kills during ${phase}`, String(report.kills[phase])]),
        ["… of which before the operation's first API write", String(report.killsBeforeAnyWrite)],
        ["operations that finished before their kill point (no kill)", String(report.finishedBeforeKill)],
        ["kills after which the language host was still alive 3 s later", String(report.survivors["language host"])],
        ["… the provider process", String(report.survivors.provider)],
        ["… the program", String(report.survivors.program)],
        ["API writes answered after the engine was dead (in flight at the kill)", String(report.writesAfterKill)],
        ["… of which sent after the kill", String(report.writesSentAfterKill ?? 0)],
        ["recoveries that needed `pulumi cancel` (stale lock)", String(report.recovery.cancels)],
        ["`pulumi refresh --clear-pending-creates` runs", String(report.recovery.refreshes)],
        ["pending operations found after kills", pending.length === 0 ? "0" : pending.map(([kind, n]) => `${n} ${kind}`).join(", ")],
        ["interrupted operations that succeeded when run again", String(report.recovery.converged)],
        ["… that failed again (stuck stacks)", String(report.recovery.stuck)],
        ["kills that left a state file the CLI cannot read", String(report.recovery.unreadableState ?? 0)],
        ["… repaired by copying `<stack>.json.bak` back (a hand edit)", String(report.recovery.restoredBackups ?? 0)],
        ["invariant checks", String(report.checks)],
        ["… that found nothing wrong", String(report.cleanChecks)],
        ["duplicate clients", String(report.duplicates)],
        ["orphaned clients", String(report.orphanClients)],
        ["orphaned keys", String(report.orphanKeys)],
        ["… generated, private half lost", String(report.orphanKeysWithoutPrivateHalf)],
        ["orphaned scopes", String(report.orphanScopes)],
        ["orphaned grants", String(report.orphanGrants)],
        ["state entries Digdir does not have", String(report.stateMismatches)],
        ["recovered ups not converged (missing objects or a preview with changes)", String(report.notConverged)],
        ["secrets found in output or state", String(report.secretLeaks)],
        ["… generated keys' private forms looked for (besides the admin keys')", String(report.generatedSecretsWatched)],
      ],
    },
  ];
}

function readJson<T>(file: string): T | undefined {
  const path = join(DOCS, file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : undefined;
}

export function writeBenchmarksDoc(): void {
  const bench = readJson<BenchReport>("benchmarks.json");
  const soak = readJson<SoakReport>("soak.json");
  const crash = readJson<CrashReport>("soak-crash.json");
  const adverse = readJson<BenchReport>("benchmarks-adverse.json");
  writeFileSync(join(DOCS, "benchmarks.md"), renderBenchmarksDoc(bench, soak, crash, adverse));
}

const table = (t: Table) => `**${t.title}**\n\n${markdownTable(t)}\n`;

export function renderBenchmarksDoc(
  bench: BenchReport | undefined,
  soak: SoakReport | undefined,
  crash?: CrashReport,
  adverse?: BenchReport,
): string {
  return [
    "# Benchmarks and fault soak",
    "",
    "Measured proof for the two worries of platform teams that run `pulumi up` for hundreds of Maskinporten clients in",
    "CI: rate-limit trouble (too many requests) and duplicate objects after flaky networks. Generated by `npm run bench`",
    "and `npm run soak`, which rewrite this page from `docs/benchmarks.json` and `docs/soak.json`; numbers below are",
    "from the last run of each, on the machine described.",
    "",
    bench ? benchSection(bench) : "_No benchmark run recorded yet: run `npm run bench`._\n",
    bench && adverse ? variantSection(bench, adverse) : "",
    soak ? soakSection(soak) : "_No soak run recorded yet: run `npm run soak`._\n",
    crash ? crashSection(crash) : "_No crash soak run recorded yet: run `npm run soak:crash`._\n",
    badInputSection(),
    previewChecksSection(),
  ].join("\n");
}

function benchSection(report: BenchReport): string {
  const [targetsT, economyT, routesT, speedT, stateT, stateTypeT, latencyT, throughputT] = benchTables(report);
  const { machine, settings } = report;
  const largest = report.sizes[report.sizes.length - 1]!;
  const missed = targets(report).filter((t) => !t.met);
  return [
    "## Benchmark",
    "",
    `Command: \`${report.command}\` (${report.generatedAt.slice(0, 16).replace("T", " ")} UTC). Machine: ${machine.cpus} CPUs (${machine.cpuModel}),`,
    `${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}, Pulumi ${machine.pulumi} built from source, a local file backend.`,
    "Other work shared the machine, so wall times carry noise; request counts do not.",
    "",
    "What runs: Pulumi programs through the real engine (Automation API, `scripts/lib/stack-workspace.js`), against the",
    "simulator started in the benchmark's process, which counts every request it serves.",
    "",
    "- **A**, this package: a supplier manages one Maskinporten client per customer organisation (`clientOrgno`), each",
    "  with its own key (`ClientKey`); the API owner grants its scope to each customer (`ScopeGrant`), and each client",
    "  uses the scope through its grant (`scopes: [grant.scope]`). For N clients: 1 `Scope` + N × (`ScopeGrant` →",
    `  \`Client\` → \`ClientKey\`) = 1 + 3N resources and ${settings.credentials} credentials (profiles \`owner\` and \`supplier\`).`,
    "- **B**, the bare engine: the same 1 + 3N dynamic resources with the same inputs and dependency graph, served by a",
    "  do-nothing inline provider (only `create`, which returns an id).",
    '- **B′**: B with each resource padded to A\'s state size (table "Stack state"), an explanation, not a target: the',
    "  file backend writes the whole state after every step, so state size alone costs time in `up`, `refresh` and",
    "  `destroy`; B′ separates that from the provider's own work. The targets compare A with B, the bare engine.",
    '- **A+L**: A on a stack of its own with latency added to every request (section "With latency").',
    "",
    `Phases, in this order, each program (A, A+L, B, B′) after the other within a phase: \`up\` (create), \`preview\` (expecting no change),`,
    "`up` again (expecting no change), `refresh` (expecting no change), `destroy`. Every phase checks its outcome (the",
    "resource count created and deleted, no change where none is expected), so a number is only recorded for a correct",
    `run. Sizes below 100 clients run ${cycles(settings.repeats)} (each on a fresh scope and fresh customers) and`,
    `report the median time; from 100 on, ${cycles(settings.repeatsLarge)}. The engine runs ${settings.engineParallel} resource`,
    `operations at a time (its default, 4 × CPUs), the provider ${settings.providerMaxConcurrency} requests at a time (its default).`,
    "",
    missed.length === 0 ? "All targets are met." : `Targets not met: ${missed.map((t) => t.name).join("; ")}.`,
    "",
    table(targetsT!),
    "### Request economy",
    "",
    "Counted by the simulator (its `/__sim/counters`, reset before each phase), for program A; B makes no request at",
    'all (checked). "Per client" divides by N.',
    "",
    "- Tokens ask only for the admin scope an operation needs, so a credential that reads and writes holds two tokens",
    "  (a read scope and a write scope) per `up`, fetched single-flight and shared by all resources; an admin client",
    "  without `scopes.read` costs one refused token request before `scopes.write` is used instead. A token is fetched",
    "  again only within 20 s of its expiry (120 s), so a phase longer than 100 s may need more, which the target allows.",
    "- Creating a client with its key and grant: the grant (PUT), the client (POST), and the key (the key-set write and",
    "  the reads around it, which check that what was written is there). Destroying costs about the same.",
    "- A no-op `preview` or `up` writes nothing and asks for no token. It reads only Maskinporten's public metadata (the",
    "  clock that expiry warnings and rotation share); an unchanged Client keeps its stored inputs as they are, so the",
    "  engine has no state to rewrite for it.",
    "- `refresh` shares list reads within the provider process for 5 s (the supplier's client list, the owner's scope",
    "  list, the scope's grant list) and reads each client's keys once (`GET /clients/{id}/jwks`: Digdir's client",
    "  list carries no keys), so it grows by one request per client with managed keys. The cache is dropped by any",
    "  write and lives only as long as the provider process.",
    "",
    table(economyT!),
    table(routesT!),
    "### Speed against the bare engine",
    "",
    "Wall time of each Automation API call (CLI start, program, engine, provider process, requests), A next to B and",
    'B′ in the same run. "Of which requests in flight" is how long at least one of A\'s requests was being served by the',
    "simulator (Node's HTTP server diagnostics channels in the benchmark's process): the part of A's time that waits",
    "on the API; the rest is the engine, the program and the provider's own work.",
    "",
    table(speedT!),
    table(stateT!),
    table(stateTypeT!),
    speedReading(report, largest),
    "### With latency",
    "",
    `A+L is program A on a stack of its own (fresh scope and customers), with the simulator delaying every request by`,
    `${settings.latencyMs} ms (a \`latency\` fault with probability 1 on every route: metadata, token and API), run right after A in`,
    "every phase of every cycle, so that both meet the same load of the machine. \"Added\" is A+L's time minus A's",
    "(medians over the same cycles). The lower bound is",
    "",
    "    latency × max(critical path, requests ÷ concurrency)",
    "",
    `with concurrency ${Math.min(settings.engineParallel, settings.providerMaxConcurrency)} (at most that many requests are in flight: the engine's operations and the`,
    "provider's transport both allow 8) and the critical path the longest chain of requests that must wait for each",
    "other, given the requests this package makes:",
    "",
    ...PHASES.filter((p) => CRITICAL_PATH[p].requests > 0).map(
      (p) => `- ${PHASE_TITLES[p]}: ${CRITICAL_PATH[p].requests} requests, ${CRITICAL_PATH[p].chain}.`,
    ),
    "",
    'Either term alone is a lower bound, so their maximum is; latency overlaps with the engine\'s own work, so "added"',
    "can come out below the bound, and noise of a second or two shows in the smaller sizes. The no-op phases make no",
    'request, so latency costs them nothing. "Requests in flight" and "most at once" show how the requests overlapped:',
    "the provider never has more than 8 in flight, and the engine starts a resource only once the program has",
    "registered it, which for a `ClientKey` waits for its `Client`'s outputs, and for a `Client` its grant's.",
    "",
    table(latencyT!),
    latencyReading(report),
    "### Simulator throughput",
    "",
    "`scripts/bench-loadgen.js`, in its own process, against a simulator of its own in the benchmark's process (one CPU",
    "each): a fixed number of keep-alive connections (undici `Pool`, no pipelining), each sending requests back to back",
    "for the duration; requests/s counts completed requests, all of which answered 200. Token requests carry a JWT",
    "grant signed by the load generator (RS256, re-signed every 2 s, without `jti` so one grant serves many requests:",
    "the cost measured is the simulator's: verifying the grant, issuing and signing the access token). The client list",
    "holds 200 supplier-made clients with a key each, the size program A's refresh reads at N = 200.",
    "",
    table(throughputT!),
    `The highest rate program A asked of the simulator in any phase was ${peakDemand(report)} requests/s, far below what it serves,`,
    "so the simulator is not what the times above measure.",
    "",
  ].join("\n");
}

function cycles(count: number): string {
  return count === 1 ? "one full cycle" : `${count} full cycles`;
}

function speedReading(report: BenchReport, largest: BenchReport["sizes"][number]): string {
  const up = largest.phases.up;
  const lines = [
    "Reading the table:",
    "",
    `- At N = ${largest.n} (${largest.resources} resources), \`up\` takes ${seconds(up.ms.A)} s for A and ${seconds(up.ms.B)} s for B (${ratio(up.ratio)}).`,
  ];
  const { A: stateA, B: stateB } = largest.stateBytesPerResource;
  lines.push(
    `  A's checkpoint is ${stateA} bytes per resource against B's ${stateB} (${ratio(stateA !== undefined && stateB !== undefined ? stateA / stateB : undefined)}): the file backend writes the whole state after`,
    "  every step, so every byte a resource stores is paid once per step. Each resource stores its `__provider` text",
    "  (~100 bytes, `provider/forwarder.ts`) and its inputs twice, in inputs and outputs (the dynamic provider host gives",
    "  `diff` only the outputs); a generated key's private half once, as a JWK (the SDK derives the other forms).",
  );
  if (up.ms["B′"] !== undefined) {
    lines.push(`  B′, the do-nothing program with A's state size, takes ${seconds(up.ms["B′"])} s.`);
  }
  const { destroy, preview, noopUp } = largest.phases;
  if (destroy.ms["B′"] !== undefined) {
    lines.push(
      `- \`destroy\` likewise: ${seconds(destroy.ms.A)} s for A, ${seconds(destroy.ms.B)} s for B, ${seconds(destroy.ms["B′"])} s for B′. In both, A's requests were in`,
      `  flight for only ${seconds(up.inFlight.busyMs)} s and ${seconds(destroy.inFlight.busyMs)} s of the phase: the API is a small part of the time.`,
    );
  }
  lines.push(
    `- The no-op \`preview\` and \`up\` make no request; they run the program and \`check\` + \`diff\` for every resource`,
    `  (at N = ${largest.n}: ${seconds(preview.ms.A)} and ${seconds(noopUp.ms.A)} s for A, ${seconds(preview.ms["B′"] ?? preview.ms.B)} and ${seconds(noopUp.ms["B′"] ?? noopUp.ms.B)} s for ${preview.ms["B′"] !== undefined ? "B′" : "B"}). Starting the provider`,
    "  process costs about 0.2 s (loading the package), and its checks about 0.4 to 1.6 ms per resource measured in",
    "  process (zod schemas; for a key, parsing it and its RFC 7638 thumbprint); the rest of the difference is within",
    "  the noise of a shared machine.",
    "- Fixes that came out of these measurements: the SDK serialized a forwarder closure per resource (~25 ms each in",
    "  the program; one per type brought `up` of N = 50 from 21.0 s to 11.4 s), and that closure (2.4 kB) was stored",
    "  twice per resource, as was a generated key in three forms (issue 18: quickstart state 56 kB → 28 kB). The",
    "  `__provider` text is now written by hand and the program never loads Pulumi's closure serializer.",
    "",
  );
  return lines.join("\n");
}

function latencyReading(report: BenchReport): string {
  const rows = report.sizes
    .filter((size) => size.latency)
    .map((size) => {
      const up = size.latency!.up;
      return `N = ${size.n}: ${seconds(up.addedMs)} s added to \`up\` against a bound of ${seconds(up.boundMs)} s`;
    });
  if (rows.length === 0) return "";
  return [
    `Reading the table: ${rows.join("; ")}. With more resources the engine's own work (the state written after`,
    "every step) takes longer than the requests, which run meanwhile on the other resources: the latency hides",
    'behind it, and "added" falls below the bound (and within the noise). The requests overlap ("most at once"); at the',
    "largest size the engine starts steps at the pace of its state writes, so requests are in flight for much of the",
    "phase without adding to it.",
    "",
  ].join("\n");
}

function soakSection(report: SoakReport): string {
  const tables = soakTables(report);
  return [
    "## Fault soak",
    "",
    `Command: \`${report.command}\` (${report.generatedAt.slice(0, 16).replace("T", " ")} UTC, ${report.minutes} minutes, seed ${report.seed}).`,
    "The short variant runs in `npm test` (`test/soak/soak.test.ts`: seed 20260, two cycles, two five-key runs).",
    "",
    "What runs (`test/soak/`): a quickstart-shaped program through the real engine with two profiles, the API owner",
    "(two scopes, their grants to the consumer and sometimes to a third organisation) and the consumer (one client using",
    "the granted scopes, one to three keys). Each cycle makes a random program (seeded), runs `up`, changes it (one to",
    "three of: a scope added to or removed from the client with its grant, a grant to a third party added or removed, a",
    "key added or removed), runs `up`, and runs `destroy`. Scope names repeat across cycles, so every cycle also",
    "reactivates the scopes the previous one deactivated, and re-approves revoked grants.",
    "",
    "Faults: before each `up` or `destroy`, one to three random fault rules are armed on the simulator (`test/soak/fault-plan.ts`):",
    "latency spikes of 0.3–2 s, 429 with `Retry-After: 1`, 500, 502 and 503, connection resets, and responses dropped",
    "after the change was made (`drop-after-commit`), on API routes and the token endpoint, each with a probability",
    "and a count. When the operation fails, nothing is cleared: it runs again, up to five times, until it succeeds (the",
    "counts spend the faults). The seed fixes the plan and the simulator's draws; which request a rule hits also",
    "depends on the engine's scheduling of concurrent resources.",
    "",
    "After every successful `up`, with the faults cleared, these must hold, read from the simulator's portal hooks and",
    "the stack's state (`pulumi stack export`): exactly the program's scopes active; exactly its grants approved (no",
    "orphaned grant); exactly one client of the cycle's name, ever (no duplicate, counting deactivated ones); exactly",
    "the program's keys on it (no orphaned key); the same ids in the state; and a `preview` showing no change (no",
    "perpetual diff). After `destroy`: nothing active, no key left, still one client, an empty stack. After each cycle,",
    "no slice of any admin key's private members and nothing shaped like a secret (a JWT, a PEM private key, a private",
    "JWK member: the harness's `secretsIn`) in any engine output (failed runs included) or in the stored state files.",
    "",
    "Then five `ClientKey`s on one new client in one `up` (no faults), repeatedly: every run must register all five,",
    "since the API replaces a client's whole key set at once and concurrent writes would lose keys.",
    "",
    ...tables.map(table),
  ].join("\n");
}

function crashSection(report: CrashReport): string {
  const problems = report.problems.slice(0, 40);
  return [
    "## Crash soak",
    "",
    `Command: \`${report.command}\` (${report.generatedAt.slice(0, 16).replace("T", " ")} UTC, ${report.minutes} minutes, seed ${report.seed}).`,
    "The short variant (`test/soak/crash.test.ts`: seed 16, three runs, one kill in each phase) runs in `npm test` (alone:",
    "`npm run test:crash`).",
    "",
    "What runs (`test/soak/crash.ts`): a program with two scopes and their grants (profile `owner`) and two or three",
    "clients using them, each with a generated `ClientKey` and sometimes a given public key (profile `consumer`), through",
    "the real `pulumi` CLI on a local file backend. Each run kills the engine (`kill -9` of the `pulumi` process) once,",
    "in turn during the first `up` (create), an `up` that changes the program (two or three of: a client added or",
    "removed, a generated key added, a key removed, a client's scopes changed, a third-party grant toggled) or `destroy`,",
    "after a seeded number of the operation's API writes plus up to 600 ms, while the simulator holds every API request",
    "300 ms before answering it, so kills land inside writes (one kill in ten lands before any write, during the program's",
    "start).",
    "The engine's children are watched for 3 s (the language host and the provider process exit by themselves once the",
    "engine is gone: see the table) and any still alive then is stopped by the harness and counted.",
    "",
    'Recovery, as Pulumi v3.276.0 tells the user (`test/soak/recovery.ts`): any command on the stack fails with "the stack',
    'is currently locked by 1 lock(s) ... delete the lock file with `pulumi cancel`", so `pulumi cancel --yes`; the next',
    '`up` warns about pending operations and says to repair the stack with `pulumi refresh`, which "will need to be run',
    'interactively to clear pending CREATE operations" (a plain non-interactive `pulumi refresh` leaves them), so',
    "`pulumi refresh --yes --clear-pending-creates`, the prompt's non-interactive equivalent; then the interrupted",
    "`pulumi up` or `pulumi destroy` again. When the kill leaves the stack's state unreadable (\"failed to load checkpoint:",
    'EOF": the file backend renames the state to `<stack>.json.bak` and then writes the new one in place), Pulumi gives no',
    "advice; the harness copies the `.bak` back first (the known repair, pulumi/pulumi#2801) and counts it.",
    "",
    "Checks, against the simulator's portal hooks and `pulumi stack export`, after the recovered operation and after the",
    "run's `destroy`: no two active clients of one name; no active client, scope or approved grant of the run, and no",
    "registered key, that the stack does not hold (an orphan; an orphaned generated key has lost its private half); nothing",
    "in the stack that Digdir does not have, and no pending operation left; after an `up`, every declared object at Digdir",
    "and a `preview --expect-no-changes` that passes; after `destroy`, an empty stack. No slice of an admin key or of a",
    "generated key's private forms in any output of the run or in the stored state. The counts below are summed over the",
    "checks: what the recovered operation left and the run's `destroy` did not clean up is counted at both.",
    "",
    ...crashTables(report).map(table),
    problems.length > 0 ? "**What broke** (first 40)\n" : "Nothing broke.\n",
    ...problems.map((p) => `- ${p.replace(/\|/g, "\\|")}`),
    "",
  ].join("\n");
}

function badInputSection(): string {
  return [
    "## Bad input",
    "",
    "`test/provider/bad-input.test.ts` (part of `npm test`) runs a table of 64 bad inputs: 16 of `Client`, 11 of `Scope`,",
    "4 of `ScopeGrant`, 17 of `ClientKey` and 16 of the provider configuration (an organisation number failing its check",
    "digit, a scope without prefix, a 1024-bit key, a private JWK or PEM given as public key, a sixth key, a kid with",
    "spaces, lifetime 0, an expiry more than a year ahead, a misspelt input, an unknown profile, an expired business",
    "certificate, a wrong PKCS#12 password, an `http:` URL to another host, an unknown environment, a missing",
    "clientId, two credentials at once, ...). Each row calls the provider as the engine does (`check`, and `create`",
    "where the problem can only show there: a credential is loaded on first use, and the sixth key needs the client's",
    "keys read) and must be rejected with a message naming the field (the failure's property, or the config key in",
    "the error), with no write reaching the simulator (and no request at all, except the sixth key's read of the key",
    "set), and with no 16-character slice of any private key, PKCS#12 password or admin key in what the user sees",
    "(the failures, or the error's message, stack and properties). The sixth key is refused by `check` on `clientId`",
    '("client … has 5 keys (…), so this key would be key number 6, but Maskinporten allows at most 5"), after reading',
    "the client's keys, and by `create` as before if a key appears between preview and up.",
    "",
  ].join("\n");
}

/** The cost of the read-only checks `check` makes so that `preview` refuses what `up` would (not generated by the bench). */
function previewChecksSection(): string {
  return [
    "## What the preview checks cost",
    "",
    '`check` reads what `up` would be refused for (see the README, "What `preview` checks before `up`"): a token for',
    "the operation's admin scope, `GET /prefix`, `GET /scopes/all`, `GET /scopes/access/all` when a client's scope is",
    "another organisation's, and a client's keys for a new key on a client that exists. Each read is made once per",
    "credential per provider process, only for resources that are new or changed. Measured through the real engine on",
    "the quickstart (two profiles: a Scope and a ScopeGrant as the owner, a Client and a generated ClientKey as the",
    'consumer), `test/e2e/preview-refusals.test.ts` ("what the checks cost"), which asserts these numbers:',
    "",
    "| preview of the quickstart | API reads | token requests | API writes |",
    "| --- | ---: | ---: | ---: |",
    "| create (empty stack) | 2 (`GET /prefix`, `GET /scopes/all`) | 4 (owner: `scopes.write`, `scopes.read`; consumer: `dcr.write`, `dcr.read`) | 0 |",
    "| no-op (after `up`) | 0 | 0 | 0 |",
    "",
    'A no-op preview runs no check and reads only the public metadata (the table "Requests per phase" above). In an',
    "`up` the same checks reuse the tokens `up` needs anyway; a new key on a",
    "client made in the same run reads nothing (its keys are all of this run).",
    "",
  ].join("\n");
}

/** The same program's requests against the simulator's default answers and its adverse preset, per phase. */
export function variantTable(defaults: BenchReport, adverse: BenchReport): Table {
  const rows = defaults.sizes.flatMap((size) => {
    const other = adverse.sizes.find((s) => s.n === size.n);
    if (!other) return [];
    return PHASES.map((phase) => {
      const [d, a] = [size.phases[phase].requests, other.phases[phase].requests];
      return [
        `N=${size.n} ${PHASE_TITLES[phase]}`,
        `${d.total} / ${a.total}`,
        `${d.token} / ${a.token}`,
        `${d.apiReads} / ${a.apiReads}`,
        `${d.apiWrites} / ${a.apiWrites}`,
      ];
    });
  });
  return { title: "Requests per phase, default / adverse simulator", head: ["phase", "total", "token", "API reads", "API writes"], rows };
}

function variantSection(defaults: BenchReport, adverse: BenchReport): string {
  const t = variantTable(defaults, adverse);
  if (t.rows.length === 0) return "";
  return [
    "## Requests against the adverse simulator",
    "",
    "The same program A counted against the simulator's `adverse` preset (every uncertain answer at its hardest: bodyless",
    "201s and 204s, no inline keys in the client list, `200 {}` for a keyless client, admin clients without `scopes.read`,",
    "scopes read only at `GET /scopes?scope=` as a list). The extra reads are the provider reading back what an answer",
    "did not carry. Left of the slash the default run above, right of it `" + adverse.command + "`.",
    "",
    table(t),
  ].join("\n");
}
