import { z } from "zod";
import { DEFAULT_STAGES } from "./defaults.js";
import { parseDuration } from "./duration.js";
import { StageConfig, StageKind, type BatonConfig } from "./schema.js";

/** A stage with every default applied: what the engine runs. */
export type Stage = Omit<StageConfig, "kind" | "max_attempts" | "timeout" | "enabled" | "gate" | "entry"> & {
  name: string;
  kind: StageKind;
  gate: boolean;
  entry: boolean;
  max_attempts: number;
  timeout_ms: number;
};

/** The configuration a repository runs with: the parsed file plus its resolved stages. */
export interface Pipeline {
  config: BatonConfig;
  stages: Stage[];
}

/** A problem found in a config file, named by where it is. */
export interface ConfigProblem {
  severity: "error" | "warning";
  /** Dotted path into the file, e.g. `stages.design.next.pass`. */
  path: string;
  message: string;
}

/**
 * Merges the file's stages over the default pipeline and applies defaults.
 * Returns problems (never throws) for stages that are incomplete after the merge.
 */
export function resolvePipeline(config: BatonConfig): { pipeline: Pipeline; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const names = new Set([...Object.keys(DEFAULT_STAGES), ...Object.keys(config.stages)]);
  const stages: Stage[] = [];
  for (const name of names) {
    const merged = { ...DEFAULT_STAGES[name], ...config.stages[name] };
    const parsed = StageConfig.safeParse(merged);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({ severity: "error", path: ["stages", name, ...issue.path.map(String)].join("."), message: issue.message });
      }
      continue;
    }
    const stage = parsed.data;
    if (stage.enabled === false) continue;
    const kind = stage.kind ?? StageKind.safeParse(name).data;
    if (!kind) {
      problems.push({
        severity: "error",
        path: `stages.${name}.kind`,
        message: `stage "${name}" needs a kind (one of ${StageKind.options.join(", ")})`,
      });
      continue;
    }
    const { enabled: _enabled, ...fields } = stage;
    stages.push({
      ...fields,
      next: withDefaultGate(stage, kind),
      name,
      kind,
      gate: stage.gate ?? false,
      entry: stage.entry ?? false,
      max_attempts: stage.max_attempts ?? config.defaults.max_attempts,
      timeout_ms: parseDuration(stage.timeout ?? config.defaults.timeout),
    });
  }
  return { pipeline: { config, stages }, problems };
}

/**
 * A gated stage whose `next` names no `gate` label waits at its kind's default one
 * (`status:designed` for design), so flipping `gate: false` to `true` in a file that
 * spells out `next` just works. Kinds without a default gate label still need one.
 */
function withDefaultGate(stage: StageConfig, kind: StageKind): StageConfig["next"] {
  const fallback = DEFAULT_STAGES[kind]?.next?.gate;
  return stage.gate && !stage.next.gate && fallback ? { ...stage.next, gate: fallback } : stage.next;
}

/** Turns zod issues into problems with dotted paths. */
export function problemsFromZod(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => ({
    severity: "error" as const,
    path: issue.path.map(String).join(".") || "(file)",
    message: issue.message,
  }));
}
