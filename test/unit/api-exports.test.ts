/**
 * `pulumi-maskinporten/api` exports by name exactly the values the README lists under "The API client", and the
 * main entry exports the errors users catch.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as api from "../../provider/api";
import * as main from "../../sdk";

const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");

/** The backticked names of the README's bullet that says what /api exports (types, after "with the types", aside). */
function documentedValues(): string[] {
  const bullet = /\n {2}- It exports, by name: ([\s\S]*?)\n(?! {4})/.exec(readme)?.[1];
  if (bullet === undefined) throw new Error('README.md: no "It exports, by name" bullet under "The API client"');
  const values = bullet.split("with the types")[0]!;
  return [...values.matchAll(/`(\w+)`/g)].map((m) => m[1]!);
}

test("/api exports exactly the values the README documents", () => {
  expect(Object.keys(api).sort()).toEqual(documentedValues().sort());
});

test("the main entry exports every error class /api does, and the guard and the code list", () => {
  const errorNames = Object.keys(api).filter((name) => /Error$/.test(name) || name === "ERROR_CODES" || name === "isMaskinportenError");
  expect(errorNames.length).toBeGreaterThan(10);
  for (const name of errorNames)
    expect({ name, same: (main as Record<string, unknown>)[name] === (api as Record<string, unknown>)[name] }).toEqual({
      name,
      same: true,
    });
});
