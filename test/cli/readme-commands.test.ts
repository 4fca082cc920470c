/**
 * Every `maskinporten` command the READMEs show (in shell blocks and inline code) is a command the CLI has,
 * with options it has: a user who copies one runs what the README describes.
 */
import { commandText, readmes } from "../helpers/readme";
import { ensureBuilt, ROOT, runCli } from "./helpers";

interface Invocation {
  readme: string;
  line: string;
  command: string;
  options: string[];
}

function documentedInvocations(): Invocation[] {
  return readmes(ROOT).flatMap((readme) =>
    commandText(readme).flatMap((text) => {
      const line = text.replace(/\s#.*$/, "");
      const found = /(?:^|\s)maskinporten\s+([a-z]+)((?:\s+[a-z]+)?)(.*)$/.exec(line);
      if (!found) return [];
      const [, first, second, rest] = found;
      const command = first === "keys" ? `keys${second}`.replace(/\s+/, " ") : first!;
      const tail = first === "keys" ? rest! : `${second}${rest}`;
      return [
        { readme: readme.name, line: line.trim(), command, options: [...tail.matchAll(/(?:^|[\s[])(--[a-z][a-z-]*)/g)].map((m) => m[1]!) },
      ];
    }),
  );
}

beforeAll(() => ensureBuilt());

it("every maskinporten command in the READMEs exists and has the options shown", async () => {
  const invocations = documentedInvocations();
  expect(invocations.length).toBeGreaterThanOrEqual(15);
  const commands = [...new Set(invocations.map((i) => i.command))];
  expect(commands).toEqual(expect.arrayContaining(["keys create", "keys export", "keys list", "token", "simulator"]));

  const helpOf = new Map<string, string | undefined>();
  for (const command of commands) {
    const help = await runCli([...command.split(" "), "--help"]);
    // An unknown subcommand of `keys` prints the help of `keys` itself.
    helpOf.set(command, help.status === 0 && help.stdout.startsWith(`Usage: maskinporten ${command} `) ? help.stdout : undefined);
  }
  const problems = invocations.flatMap(({ readme, line, command, options }) => {
    const help = helpOf.get(command);
    if (help === undefined) return [`${readme}: \`${line}\`: there is no command "maskinporten ${command}"`];
    return options
      .filter((o) => !new RegExp(`(^|[\\s,])${o}(?![\\w-])`, "m").test(help))
      .map((o) => `${readme}: \`${line}\`: "maskinporten ${command}" has no option ${o}`);
  });
  expect(problems).toEqual([]);
});
