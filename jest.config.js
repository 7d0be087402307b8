/** Jest runs the TypeScript sources as ESM (Probot 14 is ESM-only). */
const common = {
  preset: "ts-jest/presets/default-esm",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, diagnostics: false }],
  },
};

/**
 * Fast tests (`npm test -- --selectProjects unit`): no sandbox server, no child processes,
 * at most real Redis and a fake GitHub at the HTTP boundary. A new test file is an
 * integration test until it is listed here.
 */
const UNIT = [
  "architecture/**",
  "config/**",
  "agents/routing",
  "agents/http-backends",
  "agents/sanitize-untrusted",
  "github/read-change",
  "github/redact-secrets",
  "github/status-comment",
  "observe/http-routes",
  "pipeline/accept-delivery",
  "pipeline/accept-pull-event",
  "pipeline/claim",
  "pipeline/intake-http",
  "pipeline/repo-tasks",
  "sandbox/allowlist",
  "stages/agent-files",
  "stages/plan",
].map((path) => `<rootDir>/test/${path}${path.endsWith("**") ? "/*.test.ts" : ".test.ts"}`);

export default {
  testTimeout: 30000,
  // Integration and e2e tests share one Redis and spawn processes: keep the 2-core box calm.
  maxWorkers: 2,
  projects: [
    { ...common, displayName: "unit", testMatch: UNIT },
    // Real processes, real git and the sandbox GitHub in-process.
    {
      ...common,
      displayName: "integration",
      testMatch: ["<rootDir>/test/**/*.test.ts"],
      testPathIgnorePatterns: [
        "/test/e2e/",
        ...UNIT.map((glob) =>
          glob
            .replace("<rootDir>", "")
            .replace("/**/*.test.ts", "/")
            .replace(/\.test\.ts$/, "\\.test\\.ts$"),
        ),
      ],
    },
    // Baton as separate app processes against the sandbox, end to end.
    { ...common, displayName: "e2e", testMatch: ["<rootDir>/test/e2e/**/*.test.ts"] },
  ],
};
