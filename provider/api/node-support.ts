/**
 * Refuses a Node.js older than the package supports, with what was found, what is needed and what to do.
 *
 * Every entry point imports this module first, before anything that loads undici (which crashes on Node 20
 * with `TypeError: Cannot read properties of undefined (reading 'bind')`) or jose (ESM-only, which Node 20
 * cannot `require`). npm only warns about `engines`, so without this the user meets those stack traces.
 * Keep it free of imports and of syntax older Nodes cannot parse.
 */

/** The oldest supported Node.js: undici 8 needs 22.19. Must equal `engines.node` in package.json (tested). */
export const MINIMUM_NODE_VERSION = "22.19.0";

/** The error thrown on an unsupported Node.js, or `undefined` when `found` (e.g. "20.19.1") is new enough. */
export function unsupportedNodeError(found: string, executable: string): Error | undefined {
  if (compareVersions(found, MINIMUM_NODE_VERSION) >= 0) return undefined;
  const error = new Error(
    `pulumi-maskinporten needs Node.js ${MINIMUM_NODE_VERSION} or newer, but this is Node.js ${found} (${executable}). ` +
      `Install Node.js 22 (22.19 or later) or 24 and run again with it: for example \`nvm install 24\`, ` +
      `\`node-version: 24\` in GitHub Actions' setup-node, or \`image: node:24\` in GitLab CI. ` +
      `Pulumi runs your program and its providers with the first \`node\` on PATH.`,
  );
  error.name = "UnsupportedNodeError";
  return error;
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b` (dotted numeric versions). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) =>
    v
      .replace(/^v/, "")
      .split(/[.-]/)
      .slice(0, 3)
      .map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

const refusal = unsupportedNodeError(process.versions.node, process.execPath);
if (refusal) throw refusal;
