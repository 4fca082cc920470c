// Lint rules: ESLint's and typescript-eslint's recommended sets, without type information (fast enough to run in
// every `npm test`; `tsc` does the type checking). Layout (line length, quotes, commas) is Prettier's job.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "coverage/", ".cache/", "**/node_modules/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // Tests read loosely typed JSON.
    files: ["test/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // The scripts and the bin entry are CommonJS run by Node directly.
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs" },
    // Requiring node:crypto or node:perf_hooks by name is clearer than their globals.
    rules: { "@typescript-eslint/no-require-imports": "off", "no-redeclare": ["error", { builtinGlobals: false }] },
  },
);
