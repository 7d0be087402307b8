import { readFileSync } from "node:fs";
import { parseConfigText, type ConfigResult } from "../../src/config/parse-config.js";

const fixture = (name: string): ConfigResult => parseConfigText(readFileSync(new URL(`../fixtures/config/${name}.yml`, import.meta.url), "utf8"), {});

function problems(result: ConfigResult) {
  return result.ok ? result.warnings : result.problems;
}

describe("validating .github/baton.yml", () => {
  it("accepts no file (the default pipeline) with no warnings", () => {
    const result = parseConfigText("", {});
    expect(result).toMatchObject({ ok: true, warnings: [] });
    if (result.ok) expect(result.pipeline.stages.map((s) => s.name)).toEqual(["triage", "design", "implement", "review", "plan"]);
  });

  it("accepts the full sketch of docs/architecture.md §2 and a one-line gate file", () => {
    expect(fixture("custom-valid")).toMatchObject({ ok: true, warnings: [] });
    const gate = fixture("gate-only");
    expect(gate.ok).toBe(true);
    if (gate.ok)
      expect(gate.pipeline.stages.find((s) => s.name === "design")).toMatchObject({ gate: true, on: "status:triaged", next: { gate: "status:designed" } });
  });

  it("lets a design stage that spells out `next` flip to `gate: true` and wait at status:designed", () => {
    const flipped = fixture("gate-flipped");
    expect(flipped).toMatchObject({ ok: true, warnings: [] });
    if (flipped.ok)
      expect(flipped.pipeline.stages.find((s) => s.name === "design")).toMatchObject({ gate: true, next: { pass: "status:ready", gate: "status:designed" } });
  });

  it.each([
    ["label-mismatch", "error", "stages.design.on", 'stage "design" waits for label "status:triaged", but no stage\'s `next` produces it'],
    ["duplicate-consumer", "error", "stages.quick-design.on", 'stages "design" and "quick-design" both consume label "status:triaged"'],
    ["mixed-separators", "error", "stages", 'labels mix separator styles: "status:triage" and "status/triaged"'],
    ["claim-reused", "error", "stages.design.claim", 'stage "design" claims with label "status:ready", which is also the input label of stage "implement"'],
    ["unknown-key", "error", "stages.design", 'Unrecognized key: "aprover"'],
    ["bad-duration", "error", "defaults.timeout", "not a duration (use 250ms, 5s, 10m or 2h)"],
    ["bad-cron", "error", "stages.triage.schedule", "not a cron expression"],
    ["yaml-syntax", "error", "line 4", "YAML syntax error"],
    ["unbounded-review", "error", "stages.second-review.max_revisions", "a review ⇄ implement cycle"],
    ["gate-without-label", "error", "stages.implement.next.gate", "has `gate: true` but no `next.gate` label"],
  ])("reports %s as an %s at %s", (name, severity, path, message) => {
    const result = fixture(name);
    expect(result.ok).toBe(severity !== "error");
    const found = problems(result).find((p) => p.message.includes(message));
    expect(found).toBeDefined();
    expect(found?.severity).toBe(severity);
    expect(found?.path.startsWith(path)).toBe(true);
  });

  it("warns about a handoff label that nothing consumes and that is not terminal", () => {
    const result = parseConfigText("stages:\n  review:\n    next: { approved: status:shipped, needs-changes: status:ready, rejected: status:blocked }\n", {});
    expect(result.ok).toBe(true);
    expect(problems(result)).toEqual([
      { severity: "warning", path: "stages.review.next.approved", message: expect.stringContaining('"status:shipped", which no stage consumes') },
    ]);
  });

  it("gives a clear error for a new stage without a kind, and for a stage missing its labels", () => {
    const noKind = parseConfigText("stages:\n  foo:\n    on: status:foo\n    claim: status:fooing\n    next: { pass: status:ready }\n    entry: true\n", {});
    expect(problems(noKind)).toContainEqual({ severity: "error", path: "stages.foo.kind", message: expect.stringContaining('stage "foo" needs a kind') });
    const noLabels = parseConfigText("stages:\n  extra-review:\n    kind: review\n", {});
    expect(problems(noLabels).map((p) => p.path)).toEqual(
      expect.arrayContaining(["stages.extra-review.on", "stages.extra-review.claim", "stages.extra-review.next"]),
    );
  });

  it("rejects a file that is a list or a scalar instead of a mapping", () => {
    expect(parseConfigText("- a\n- b\n", {}).ok).toBe(false);
    expect(parseConfigText("just text\n", {}).ok).toBe(false);
  });
});

describe("the JSON Schema for editors", () => {
  it("is the one generated from the zod schema (run `npm run schema` after changing it)", async () => {
    const { batonJsonSchema } = await import("../../src/config/json-schema.js");
    const committed = JSON.parse(readFileSync(new URL("../../schema/baton.schema.json", import.meta.url), "utf8"));
    expect(committed).toEqual(batonJsonSchema());
  });
});
