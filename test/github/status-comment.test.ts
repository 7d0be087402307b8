import { parseConfigText } from "../../src/config/parse-config.js";
import { renderStatus } from "../../src/github/status-comment.js";

describe("the status comment", () => {
  const config = parseConfigText("", {});
  if (!config.ok) throw new Error("the default pipeline must be valid");
  const stagesShown = (rows: Record<string, { state: "passed" }>) =>
    [...renderStatus(config.pipeline, { rows }, "status:triage").matchAll(/^\| (\S+) \| (?!State)/gm)].map((m) => m[1]);

  it("lists the stages on the way, not the side roads nobody took", () => {
    expect(stagesShown({})).toEqual(["triage", "design", "implement", "review"]);
  });

  it("lists a side road once the issue took it", () => {
    expect(stagesShown({ plan: { state: "passed" } })).toContain("plan");
  });
});
