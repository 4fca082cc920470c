/**
 * The READMEs users read (the package's and every example's) and the code in them, so that tests hold the
 * documentation to what the package really accepts.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Readme {
  /** Where it lives in this repository, e.g. `examples/key-rotation/README.md`. */
  name: string;
  text: string;
}

export interface CodeBlock {
  readme: string;
  /** The line of the opening fence. */
  line: number;
  code: string;
}

/** README.md of the repository (or `packageReadme` in its place: the one in the tarball) and of each example. */
export function readmes(root: string, packageReadme?: string): Readme[] {
  const examples = readdirSync(join(root, "examples"))
    .map((example) => `examples/${example}/README.md`)
    .filter((name) => existsSync(join(root, name)))
    .sort();
  return [
    { name: "README.md", text: packageReadme ?? readFileSync(join(root, "README.md"), "utf8") },
    ...examples.map((name) => ({ name, text: readFileSync(join(root, name), "utf8") })),
  ];
}

/** The fenced blocks of one language, unindented (blocks inside list items are indented). */
export function codeBlocks(readme: Readme, language: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = readme.text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^\s*```\s*$/.test(l));
    if (end < 0) throw new Error(`${readme.name}:${i + 1}: a code fence is never closed`);
    if (open[2] === language) {
      const indent = open[1]!.length;
      blocks.push({
        readme: readme.name,
        line: i + 1,
        code: lines
          .slice(i + 1, end)
          .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
          .join("\n"),
      });
    }
    i = end;
  }
  return blocks;
}

/** The text in inline code spans and shell blocks: where the README shows commands. */
export function commandText(readme: Readme): string[] {
  const shell = codeBlocks(readme, "sh").flatMap((b) => b.code.split("\n"));
  const inline = [...readme.text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.replace(/\\\|/g, "|"));
  return [...shell, ...inline];
}

/**
 * A TypeScript block as a module of its own. A README's snippets lean on each other (`client` made in the
 * Client section is used in the ClientKey one), so names a block uses without making are declared with their
 * types; nothing else is added.
 */
export function asModule(block: CodeBlock): string {
  const { code } = block;
  const uses = (name: string) => new RegExp(`\\b${name}\\.`).test(code) || new RegExp(`[({,:]\\s*${name}\\s*[,)}]`).test(code);
  const makes = (name: string) => new RegExp(`(const|let|import \\* as|import)\\s+${name}\\b`).test(code);
  const declared = [
    ["client", "maskinporten.Client"],
    ["scope", "maskinporten.Scope"],
  ].filter(([name]) => uses(name!) && !makes(name!));
  const header = [`// ${block.readme}, the block at line ${block.line}`];
  if ((uses("maskinporten") || declared.length > 0) && !makes("maskinporten"))
    header.push(`import * as maskinporten from "pulumi-maskinporten";`);
  if (uses("fs") && !makes("fs")) header.push(`import * as fs from "node:fs";`);
  for (const [name, type] of declared) header.push(`declare const ${name}: ${type};`);
  return `${header.join("\n")}\nexport {};\n${code}\n`;
}
