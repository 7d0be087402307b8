import picomatch from "picomatch";
import type { Pipeline, Stage } from "../config/resolve-pipeline.js";
import type { AgentRef } from "../config/schema.js";
import { PermanentError } from "../errors.js";

export interface RouteRequest {
  pipeline: Pipeline;
  stage: Pick<Stage, "name" | "agent"> & { kind: string };
  issueLabels: string[];
  touchedPaths?: string[];
  env: { BATON_DEFAULT_BACKEND?: string };
}

/**
 * The backends to try for a task, in order (docs/architecture.md §5):
 * 1. governance guard: a task touching governance paths goes to the governance backend only;
 * 2. explicit override: an `agent:<backend>` label on the issue, else the stage's `agent`;
 * 3. the task-kind map (`routing.kinds`); 4. `defaults.agent`; 5. BATON_DEFAULT_BACKEND;
 * 6. `routing.fallback`. Duplicates are dropped; an empty list is a configuration error.
 */
export function resolveRoute({ pipeline, stage, issueLabels, touchedPaths = [], env }: RouteRequest, known: ReadonlySet<string>): AgentRef[] {
  const { routing, defaults, labels } = pipeline.config;
  const governance = routing.governance;
  if (governance && touchedPaths.some((path) => picomatch.isMatch(path, governance.paths, { dot: true }))) {
    return [checkKnown({ backend: governance.backend }, known, "routing.governance.backend")];
  }
  const fromLabel = issueLabels.find((l) => l.startsWith(labels.agent_prefix))?.slice(labels.agent_prefix.length);
  const candidates: [AgentRef | undefined, string][] = [
    [fromLabel ? { backend: fromLabel } : undefined, `the ${labels.agent_prefix}${fromLabel} label`],
    [fromLabel ? undefined : stage.agent, `stages.${stage.name}.agent`],
    [routing.kinds?.[stage.kind] ? { backend: routing.kinds[stage.kind] as string } : undefined, `routing.kinds.${stage.kind}`],
    [defaults.agent, "defaults.agent"],
    [env.BATON_DEFAULT_BACKEND ? { backend: env.BATON_DEFAULT_BACKEND } : undefined, "BATON_DEFAULT_BACKEND"],
    [routing.fallback ? { backend: routing.fallback } : undefined, "routing.fallback"],
  ];
  const route: AgentRef[] = [];
  for (const [ref, source] of candidates) {
    if (ref && !route.some((r) => r.backend === ref.backend)) route.push(checkKnown(ref, known, source));
  }
  if (route.length === 0) {
    throw new PermanentError(`no agent backend is configured for the ${stage.name} stage.`, {
      hint: "Set `defaults.agent: { backend: claude-code }` (or another backend) in .github/baton.yml, or BATON_DEFAULT_BACKEND on the server, then comment `/baton retry`.",
    });
  }
  return route;
}

function checkKnown(ref: AgentRef, known: ReadonlySet<string>, source: string): AgentRef {
  if (!known.has(ref.backend)) {
    throw new PermanentError(`${source} names the agent backend "${ref.backend}", which this Baton does not have (known: ${[...known].join(", ")}).`, {
      hint: "Fix the backend name, then comment `/baton retry`.",
    });
  }
  return ref;
}
