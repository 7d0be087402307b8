/** Jest runs the TypeScript sources as ESM (Probot 14 is ESM-only). */
export default {
  preset: "ts-jest/presets/default-esm",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, diagnostics: false }],
  },
  testTimeout: 30000,
  // Integration and e2e tests share one Redis and spawn processes: keep the 2-core box calm.
  maxWorkers: 2,
};
