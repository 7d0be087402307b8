import { parseDocument } from "yaml";
import { BatonConfig } from "./schema.js";
import { problemsFromZod, resolvePipeline, type ConfigProblem, type Pipeline } from "./resolve-pipeline.js";
import type { AgentAllowlists } from "./check-agent-flags.js";
import { validatePipeline } from "./validate-pipeline.js";

/** The outcome of reading a config: a runnable pipeline (maybe with warnings), or the errors. */
export type ConfigResult = { ok: true; pipeline: Pipeline; warnings: ConfigProblem[] } | { ok: false; problems: ConfigProblem[] };

/**
 * Validates an already-parsed config object (`null` or `undefined`: no file, the default
 * pipeline) in three passes: the schema, the merge over the default stages, the label graph
 * (and the agent config against the operator's `allowlists`, the runtime's settings).
 */
export function parseConfig(raw: unknown, allowlists: AgentAllowlists): ConfigResult {
  const parsed = BatonConfig.safeParse(raw ?? {});
  if (!parsed.success) return { ok: false, problems: problemsFromZod(parsed.error) };
  const { pipeline, problems } = resolvePipeline(parsed.data);
  const all = [...problems, ...validatePipeline(pipeline, allowlists)];
  const errors = all.filter((p) => p.severity === "error");
  if (errors.length > 0) return { ok: false, problems: all };
  return { ok: true, pipeline, warnings: all };
}

/** Validates YAML text; syntax errors become problems with line and column. */
export function parseConfigText(text: string, allowlists: AgentAllowlists): ConfigResult {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => ({
        severity: "error" as const,
        path: error.linePos ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}` : "(file)",
        message: `YAML syntax error: ${error.message.split("\n")[0]}`,
      })),
    };
  }
  return parseConfig(doc.toJS(), allowlists);
}

/** One readable line per problem, errors first. */
export function formatProblems(problems: ConfigProblem[]): string {
  return [...problems]
    .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1))
    .map((p) => `${p.severity}: ${p.path}: ${p.message}`)
    .join("\n");
}
