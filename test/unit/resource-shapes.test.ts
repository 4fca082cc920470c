/**
 * One truth per resource shape. The zod schema in provider/resources/<r>/schema.ts is what `check` accepts; the
 * SDK's `<R>Args` interface, its outputs list and class declarations, and the README's input table and
 * "Outputs:" line are written by hand for people to read. This test holds them to the schema, so adding,
 * renaming or removing an input in one place and not the others fails here, naming what differs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ts from "typescript";
import { DERIVED_KEY_OUTPUTS, PRIVATE_KEY_OUTPUTS, ROTATING_KEY_SECRET_OUTPUTS } from "../../provider/key-lifecycle/key-forms";
import { clientKeySchema } from "../../provider/resources/client-key/schema";
import { clientSchema } from "../../provider/resources/client/schema";
import { rotatingClientKeySchema } from "../../provider/resources/rotating-client-key/schema";
import { scopeGrantSchema } from "../../provider/resources/scope-grant/schema";
import { scopeSchema } from "../../provider/resources/scope/schema";

const ROOT = join(__dirname, "..", "..");
/** Inputs the SDK adds itself (never an argument a user writes). */
const INTERNAL_INPUTS = ["__ownerMarker"];
/** Arrays the SDK's outputs lists spread in, by the name they are spread by. */
const SPREADS: Record<string, readonly string[]> = { PRIVATE_KEY_OUTPUTS, ROTATING_KEY_SECRET_OUTPUTS };

interface Resource {
  name: string;
  file: string;
  schemaKeys: string[];
  /** Outputs the SDK declares beyond its outputs list: derived in the program, never stored. */
  derived?: readonly string[];
}

const RESOURCES: Resource[] = [
  { name: "Client", file: "client", schemaKeys: Object.keys(clientSchema().shape) },
  { name: "ClientKey", file: "client-key", schemaKeys: Object.keys(clientKeySchema().shape), derived: DERIVED_KEY_OUTPUTS },
  { name: "RotatingClientKey", file: "rotating-client-key", schemaKeys: Object.keys(rotatingClientKeySchema().shape) },
  { name: "Scope", file: "scope", schemaKeys: Object.keys(scopeSchema().shape) },
  { name: "ScopeGrant", file: "scope-grant", schemaKeys: Object.keys(scopeGrantSchema().shape) },
];

interface SdkShape {
  args: { name: string; documented: boolean }[];
  declared: string[];
  outputsList: string[];
}

/** Reads `<R>Args`, the class `<R>`'s declared outputs and the `*_OUTPUTS` list from the SDK's source. */
function sdkShape(resource: Resource): SdkShape {
  const path = join(ROOT, "sdk", "resources", `${resource.file}.ts`);
  const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
  const shape: SdkShape = { args: [], declared: [], outputsList: [] };
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === `${resource.name}Args`) {
      for (const member of node.members) {
        if (member.name) shape.args.push({ name: member.name.getText(source), documented: ts.getJSDocCommentsAndTags(member).length > 0 });
      }
    }
    if (ts.isClassDeclaration(node) && node.name?.text === resource.name) {
      for (const member of node.members) if (ts.isPropertyDeclaration(member)) shape.declared.push(member.name.getText(source));
    }
    if (ts.isVariableStatement(node)) {
      for (const declaration of node.declarationList.declarations) {
        if (!declaration.name.getText(source).endsWith("_OUTPUTS")) continue;
        let list = declaration.initializer!;
        while (ts.isAsExpression(list)) list = list.expression;
        if (!ts.isArrayLiteralExpression(list)) throw new Error(`${path}: ${declaration.name.getText(source)} is not an array literal`);
        for (const element of list.elements) {
          if (ts.isStringLiteral(element)) shape.outputsList.push(element.text);
          else if (ts.isSpreadElement(element) && SPREADS[element.expression.getText(source)])
            shape.outputsList.push(...SPREADS[element.expression.getText(source)]!);
          else throw new Error(`${path}: cannot read ${element.getText(source)} in the outputs list`);
        }
      }
    }
  });
  return shape;
}

/** The camelCase names in backticks within `text` (so `PUBLIC`, `{ name }` and `generate: {}` are left out). */
function namesIn(text: string): string[] {
  return [...text.matchAll(/`([a-z][A-Za-z0-9]*)`/g)].map((m) => m[1]!);
}

/** The README section `### <name>`: the first column of its input table, and its "Outputs:" sentence. */
function readmeShape(name: string): { inputs: string[]; outputs: string[] } {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf(`\n### ${name}\n`);
  if (start < 0) throw new Error(`README.md has no section "### ${name}"`);
  const end = readme.slice(start + 1).search(/\n#{2,3} /);
  const section = end < 0 ? readme.slice(start) : readme.slice(start, start + 1 + end);
  const lines = section.split("\n");
  const header = lines.findIndex((line) => line.startsWith("| input |"));
  const inputs: string[] = [];
  for (const line of header < 0 ? [] : lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    inputs.push(...namesIn(line.split("|")[1]!));
  }
  // The list is the first sentence of the paragraph that starts "Outputs:".
  const outputsAt = section.indexOf("\nOutputs:");
  const sentence = outputsAt < 0 ? "" : section.slice(outputsAt).split(/\.(?:\s|$)/)[0]!;
  const outputs = namesIn(sentence);
  return { inputs: [...new Set(inputs)], outputs: [...new Set(outputs)] };
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

describe.each(RESOURCES)("$name: one shape in the schema, the SDK and the README", (resource) => {
  const sdk = sdkShape(resource);
  const inputs = sorted(resource.schemaKeys.filter((key) => !INTERNAL_INPUTS.includes(key)));
  const args = sorted(sdk.args.map((arg) => arg.name));

  it("the SDK's arguments are the schema's inputs, each documented", () => {
    expect(args).toEqual(inputs);
    expect(sdk.args.filter((arg) => !arg.documented).map((arg) => arg.name)).toEqual([]);
  });

  it("the class declares exactly the outputs it seeds (plus those the SDK derives), and every argument is an output", () => {
    expect(sorted(sdk.declared)).toEqual(sorted([...sdk.outputsList, ...(resource.derived ?? [])]));
    expect(args.filter((arg) => !sdk.declared.includes(arg))).toEqual([]);
  });

  it("the README's input table names every input and nothing else; its Outputs line every output that is not an input", () => {
    const readme = readmeShape(resource.name);
    expect(sorted(readme.inputs)).toEqual(inputs);
    expect(readme.outputs.filter((name) => !sdk.declared.includes(name))).toEqual([]);
    expect(sdk.declared.filter((name) => !args.includes(name) && !readme.outputs.includes(name))).toEqual([]);
  });
});
