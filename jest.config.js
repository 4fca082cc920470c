/** Tests are TypeScript compiled on the fly by SWC; jose is ESM-only, so it is transformed to CommonJS too. */
const swc = [
  "@swc/jest",
  {
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: "inline",
  },
];

module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.(t|j|mj)s$": swc },
  transformIgnorePatterns: ["/node_modules/(?!jose/)"],
  testTimeout: 30000,
  testPathIgnorePatterns: ["/node_modules/"],
};
