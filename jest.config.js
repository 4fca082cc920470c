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
  // The short crash soak fails today, as it should: a kill -9 between Digdir registering a generated key and the
  // engine recording it leaves a key whose private half is lost (issue 16, still open). Until that is fixed it runs
  // on its own (`npm run test:crash`, and `npm run soak:crash`), not in `npm test`, so CI stays a gate for the rest.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/soak/crash\\.test\\.ts$"],
};
