import type { AgentTask } from "../../src/agents/types.js";
import { stageKinds } from "../../src/stages/index.js";
import type { StageKindModule } from "../../src/stages/kind-module.js";
import { AGENT_KINDS } from "../../src/agents/agent-kinds.js";
import { cannedAnswer } from "../../src/agents/backends/builtin.js";
import { PlanOutput, PlanTask, type AgentKind } from "../../src/agents/outputs.js";
import { KIND_OUTCOMES } from "../../src/config/stage-kinds.js";
import { validatePlan } from "../../src/stages/plan/validate-plan.js";
import { fakeAgentServer } from "../helpers/fake-agent-sandbox.js";

const task = (id: string, depends_on: string[] = [], files: string[] = []) =>
  PlanTask.parse({ id, title: `Task ${id}`, body: "Do it.", acceptance_criteria: ["It is done."], files, depends_on });
const agentTask = (body: string) => ({ context: { issue: { body } }, server: fakeAgentServer() }) as unknown as AgentTask;

describe("checking a plan", () => {
  it("orders tasks after what they depend on and keeps the plan's order otherwise", () => {
    expect(validatePlan([task("a", ["c"]), task("b"), task("c")]).map((t) => t.id)).toEqual(["b", "c", "a"]);
  });

  it("names the cycle", () => {
    expect(() => validatePlan([task("a", ["c"]), task("b", ["a"]), task("c", ["b"])])).toThrow("the plan's dependencies form a cycle: a → c → b → a.");
  });

  it("names the count over max_tasks, unknown dependencies and repeated ids", () => {
    expect(() => validatePlan([task("a"), task("b"), task("c")], 2)).toThrow("the plan has 3 tasks, more than max_tasks (2).");
    expect(() => validatePlan([task("a", ["x"])])).toThrow('task "a" depends on "x", which is not in the plan.');
    expect(() => validatePlan([task("a"), task("a")])).toThrow('the plan names task "a" twice.');
    expect(() => PlanTask.parse({ ...task("a"), acceptance_criteria: [] })).toThrow("at least one acceptance criterion");
  });

  it("serializes tasks that name the same file: one writer per file", () => {
    const tasks = validatePlan([task("a", [], ["src/x.ts"]), task("b", [], ["src/y.ts"]), task("c", [], ["src/x.ts", "src/y.ts"])]);
    expect(tasks.map((t) => [t.id, t.depends_on])).toEqual([
      ["a", []],
      ["b", []],
      ["c", ["a", "b"]],
    ]);
  });
});

describe("the builtin plan", () => {
  it("makes one task per checklist line, in order, with (after …) as dependencies and no files", () => {
    const plan = PlanOutput.parse(
      cannedAnswer({ ...agentTask("Intro\n\n- [ ] Add the page\n- [x] Already done\n- [ ] Add the toggle\n- [ ] Document it (after 1, 2)\n"), kind: "plan" }),
    );
    expect(plan.tasks.map((t) => [t.id, t.title, t.depends_on, t.files])).toEqual([
      ["1", "Add the page", [], []],
      ["2", "Add the toggle", [], []],
      ["3", "Document it", ["1", "2"], []],
    ]);
  });

  it("proposes a split from design only when the issue has a checklist", () => {
    expect(cannedAnswer({ ...agentTask("- [ ] One\n- [ ] Two"), kind: "design" })).toMatchObject({ split: true });
    expect(cannedAnswer({ ...agentTask("Just one change, described in prose."), kind: "design" })).toMatchObject({ split: false });
  });
});

describe("the stage kind registry", () => {
  it("registers every kind under its own name, with the outcomes the config validator knows", () => {
    for (const [name, module] of Object.entries(stageKinds()) as [string, StageKindModule][]) {
      expect(module.name).toBe(name);
      expect(module.outcomes).toBe(KIND_OUTCOMES[module.name]);
      expect(module.outcomes.required.length).toBeGreaterThan(0);
    }
  });

  it("gives every agent kind a canned builtin answer its schema accepts", () => {
    for (const [kind, { output }] of Object.entries(AGENT_KINDS) as [AgentKind, (typeof AGENT_KINDS)[AgentKind]][]) {
      const answer = cannedAnswer({
        ...agentTask("- [ ] One\n- [ ] Two (after 1)"),
        kind,
        context: { issue: { number: 1, title: "A title", body: "- [ ] One\n- [ ] Two (after 1)" } },
      } as unknown as AgentTask);
      expect(output.safeParse(answer).success).toBe(true);
    }
  });
});
