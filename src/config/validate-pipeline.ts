import { findWideningAgentConfig, type AgentAllowlists } from "./check-agent-flags.js";
import type { ConfigProblem, Pipeline, Stage } from "./resolve-pipeline.js";
import { KIND_OUTCOMES } from "./stage-kinds.js";

/**
 * The label-graph rules of docs/architecture.md §2 that a schema cannot express. Each rule is a small
 * function; every message names the stage and the label, because a person reads it in an
 * issue comment and has to find the line to fix.
 */
type Rule = (pipeline: Pipeline) => ConfigProblem[];

const error = (path: string, message: string): ConfigProblem => ({ severity: "error", path, message });
const warning = (path: string, message: string): ConfigProblem => ({ severity: "warning", path, message });

function producedLabels(pipeline: Pipeline): Set<string> {
  return new Set(pipeline.stages.flatMap((s) => Object.values(s.next)));
}

/** The "zero throughput" failure: a stage waits for a label nothing ever applies. */
export const findLabelMismatches: Rule = (pipeline) => {
  const produced = producedLabels(pipeline);
  return pipeline.stages
    .filter((s) => !s.entry && !produced.has(s.on))
    .map((s) =>
      error(
        `stages.${s.name}.on`,
        `stage "${s.name}" waits for label "${s.on}", but no stage's \`next\` produces it and it is not an entry label (add \`entry: true\` if people apply it) — the stage would never run`,
      ),
    );
};

/** A handoff label nobody picks up, that is not a terminal or waiting label either. */
export const findUnconsumedNext: Rule = (pipeline) => {
  const { labels } = pipeline.config;
  const consumed = new Set(pipeline.stages.map((s) => s.on));
  const terminal = new Set([...labels.terminal, labels.blocked, labels.done]);
  return pipeline.stages.flatMap((s) =>
    Object.entries(s.next)
      .filter(([outcome, label]) => outcome !== "gate" && !consumed.has(label) && !terminal.has(label))
      .map(([outcome, label]) =>
        warning(
          `stages.${s.name}.next.${outcome}`,
          `stage "${s.name}" hands "${outcome}" to label "${label}", which no stage consumes and which is not in labels.terminal — issues would stop there`,
        ),
      ),
  );
};

export const findDuplicateConsumers: Rule = (pipeline) => {
  const byLabel = new Map<string, Stage[]>();
  for (const s of pipeline.stages) byLabel.set(s.on, [...(byLabel.get(s.on) ?? []), s]);
  return [...byLabel.entries()]
    .filter(([, stages]) => stages.length > 1)
    .map(([label, stages]) =>
      error(
        `stages.${stages[1]!.name}.on`,
        `stages ${stages.map((s) => `"${s.name}"`).join(" and ")} both consume label "${label}" — one label must start one stage`,
      ),
    );
};

/** A claim label must mean "running" and nothing else. */
export const findReusedClaims: Rule = (pipeline) => {
  const problems: ConfigProblem[] = [];
  for (const s of pipeline.stages) {
    for (const other of pipeline.stages) {
      if (other.on === s.claim)
        problems.push(
          error(`stages.${s.name}.claim`, `stage "${s.name}" claims with label "${s.claim}", which is also the input label of stage "${other.name}"`),
        );
      for (const [outcome, label] of Object.entries(other.next)) {
        if (label === s.claim)
          problems.push(
            error(`stages.${s.name}.claim`, `stage "${s.name}" claims with label "${s.claim}", which stage "${other.name}" also writes as next.${outcome}`),
          );
      }
      if (other !== s && other.claim === s.claim && pipeline.stages.indexOf(other) < pipeline.stages.indexOf(s)) {
        problems.push(error(`stages.${s.name}.claim`, `stages "${other.name}" and "${s.name}" both claim with label "${s.claim}"`));
      }
    }
  }
  return problems;
};

/** `status:ready` next to `status/ready`: one separator style, or people apply the wrong one. */
export const findMixedSeparators: Rule = (pipeline) => {
  const { labels } = pipeline.config;
  const all = new Set([...pipeline.stages.flatMap((s) => [s.on, s.claim, ...Object.values(s.next)]), labels.blocked, labels.done]);
  const seen = new Map<string, Map<string, string>>();
  for (const label of all) {
    const match = /^([A-Za-z][A-Za-z0-9_]*)([:/-])./.exec(label);
    if (!match) continue;
    const [, prefix = "", separator = ""] = match;
    const styles = seen.get(prefix.toLowerCase()) ?? new Map<string, string>();
    if (!styles.has(separator)) styles.set(separator, label);
    seen.set(prefix.toLowerCase(), styles);
  }
  return [...seen.values()]
    .filter((styles) => styles.size > 1)
    .map((styles) => {
      const [a, b] = [...styles.values()];
      const where = pipeline.stages.find((s) => [s.on, s.claim, ...Object.values(s.next)].includes(b!));
      return error(where ? `stages.${where.name}` : "labels", `labels mix separator styles: "${a}" and "${b}" — use one style for every status label`);
    });
};

/** A review that can send work back to implement must bound the loop. */
export const findUnboundedReviewLoops: Rule = (pipeline) => {
  const byOn = new Map(pipeline.stages.map((s) => [s.on, s]));
  return pipeline.stages
    .filter((s) => s.kind === "review" && s.max_revisions === undefined)
    .filter((review) => {
      const seen = new Set<string>();
      const queue = Object.entries(review.next)
        .filter(([outcome]) => outcome !== "approved")
        .map(([, label]) => label);
      while (queue.length) {
        const stage = byOn.get(queue.shift()!);
        if (!stage || seen.has(stage.name)) continue;
        if (stage.kind === "implement") return true;
        seen.add(stage.name);
        queue.push(...Object.values(stage.next));
      }
      return false;
    })
    .map((s) =>
      error(
        `stages.${s.name}.max_revisions`,
        `stage "${s.name}" can send work back to implementation (a review ⇄ implement cycle) but sets no max_revisions — add \`max_revisions: 3\` so the loop ends`,
      ),
    );
};

export const findGateProblems: Rule = (pipeline) =>
  pipeline.stages
    .filter((s) => s.gate && !s.next.gate)
    .map((s) =>
      error(`stages.${s.name}.next.gate`, `stage "${s.name}" has \`gate: true\` but no \`next.gate\` label to wait at (for example \`gate: status:designed\`)`),
    );

export const findOutcomeProblems: Rule = (pipeline) =>
  pipeline.stages.flatMap((s) => {
    const { required, optional }: { required: readonly string[]; optional: readonly string[] } = KIND_OUTCOMES[s.kind];
    return [
      ...required
        .filter((o) => !s.next[o])
        .map((o) => error(`stages.${s.name}.next.${o}`, `stage "${s.name}" (kind ${s.kind}) needs a label for the "${o}" outcome`)),
      ...Object.keys(s.next)
        .filter((o) => !required.includes(o) && !optional.includes(o))
        .map((o) =>
          warning(
            `stages.${s.name}.next.${o}`,
            `stage "${s.name}" (kind ${s.kind}) never ends with "${o}" (it ends with ${[...required, ...optional].join(", ")}); this label is never written`,
          ),
        ),
    ];
  });

export const findMissingRequirements: Rule = (pipeline) =>
  pipeline.stages
    .filter((s) => s.requires && s.requires !== "none" && !pipeline.stages.some((o) => o.name === s.requires))
    .map((s) =>
      error(
        `stages.${s.name}.requires`,
        `stage "${s.name}" requires stage "${s.requires}", which does not exist (use \`requires: none\` to work from the issue alone)`,
      ),
    );

const RULES: Rule[] = [
  findLabelMismatches,
  findUnconsumedNext,
  findDuplicateConsumers,
  findReusedClaims,
  findMixedSeparators,
  findUnboundedReviewLoops,
  findGateProblems,
  findOutcomeProblems,
  findMissingRequirements,
];

/** Every rule above, and the agent config checked against the operator's allowlists. */
export function validatePipeline(pipeline: Pipeline, allowlists: AgentAllowlists): ConfigProblem[] {
  return [...RULES.flatMap((rule) => rule(pipeline)), ...findWideningAgentConfig(pipeline, allowlists)];
}
