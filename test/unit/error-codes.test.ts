/**
 * One catalogue of error codes: the README's "Errors" table lists exactly `ERROR_CODES`, naming classes that
 * exist, and every code written in the source (provider/, sdk/, cli/) is one of them.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import * as errors from "../../provider/api/errors";
import { ERROR_CODES, isMaskinportenError, MaskinportenError, TooManyKeysError, type ErrorCode } from "../../provider/api/errors";

const ROOT = join(__dirname, "..", "..");

/** Upper-case string literals that are not error codes: environment variables and wire values. */
const NOT_CODES = new Set(["SELF_CONTAINED"]);
const isNotCode = (literal: string) => NOT_CODES.has(literal) || literal.startsWith("MASKINPORTEN_");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

function readmeTable(): { code: string; classes: string[]; meaning: string }[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = /\n## Errors\n([\s\S]*?)\n## /.exec(readme)?.[1];
  if (section === undefined) throw new Error('README.md has no "## Errors" section');
  return [...section.matchAll(/^\| `([A-Z0-9_]+)` \| ([^|]+) \| ([^|]+) \|$/gm)].map((m) => ({
    code: m[1]!,
    classes: [...m[2]!.matchAll(/`(\w+)`/g)].map((c) => c[1]!),
    meaning: m[3]!.trim(),
  }));
}

describe("error codes", () => {
  test("ERROR_CODES has no code twice", () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  test("the README's Errors table lists exactly ERROR_CODES, once each, with a meaning", () => {
    const rows = readmeTable();
    expect(rows.map((r) => r.code).sort()).toEqual([...ERROR_CODES].sort());
    for (const row of rows) expect(row.meaning.length).toBeGreaterThan(10);
  });

  test("every class the README names is an exported error class", () => {
    const exported = errors as unknown as Record<string, unknown>;
    const named = new Set(readmeTable().flatMap((r) => r.classes));
    expect(named.size).toBeGreaterThan(5);
    for (const name of named) {
      const value = exported[name];
      expect({
        name,
        isErrorClass: typeof value === "function" && (value === MaskinportenError || value.prototype instanceof MaskinportenError),
      }).toEqual({
        name,
        isErrorClass: true,
      });
    }
  });

  test("every code literal in provider/, sdk/ and cli/ is in the union", () => {
    const known = new Set<string>(ERROR_CODES);
    const found = new Map<string, string>();
    for (const file of ["provider", "sdk", "cli"].flatMap((dir) => sourceFiles(join(ROOT, dir)))) {
      for (const m of readFileSync(file, "utf8").matchAll(/"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"/g)) {
        if (!isNotCode(m[1]!)) found.set(m[1]!, relative(ROOT, file));
      }
    }
    // The search finds the codes thrown all over the source, not just the catalogue's own list.
    expect(found.size).toBeGreaterThan(40);
    const unknown = [...found].filter(([code]) => !known.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(unknown).toEqual([]);
  });

  test("isMaskinportenError tells the package's errors by class and by code", () => {
    const err = new TooManyKeysError("c1", ["a", "b"], "client c1 would have 6 keys");
    expect(isMaskinportenError(err)).toBe(true);
    expect(isMaskinportenError(err, "TOO_MANY_KEYS")).toBe(true);
    expect(isMaskinportenError(err, "API_CONFLICT")).toBe(false);
    expect(isMaskinportenError(new Error("x"))).toBe(false);
    const code: ErrorCode = err.code;
    expect(ERROR_CODES).toContain(code);
  });
});
