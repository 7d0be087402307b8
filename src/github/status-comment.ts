import { z } from "zod";
import type { Pipeline } from "../config/resolve-pipeline.js";
import { findLastByMarker } from "./ensure-comment.js";
import type { IssueComment } from "./types.js";

/**
 * The one status comment per issue (docs/architecture.md §4): first line `<!-- baton:status -->`, a row
 * per stage, edited in place at every transition. Its rows are kept as JSON in a trailing
 * HTML comment so any process can update it from GitHub alone.
 */
export const STATUS_MARKER = "<!-- baton:status -->";
const DATA = /<!-- baton:status-data (\{[\s\S]*?\}) -->/;

export const StageState = z.enum(["queued", "running", "passed", "waiting", "blocked", "retrying", "stopped"]);
export type StageState = z.infer<typeof StageState>;

export const StatusRow = z.object({
  state: StageState,
  outcome: z.string().optional(),
  backend: z.string().optional(),
  model: z.string().optional(),
  started_at: z.string().optional(),
  duration_ms: z.number().optional(),
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cost_usd: z.number().optional(),
  artifact_url: z.string().optional(),
  pr_url: z.string().optional(),
  revision: z.number().optional(),
  note: z.string().optional(),
});
export type StatusRow = z.infer<typeof StatusRow>;

export const StatusData = z.object({
  rows: z.record(z.string(), StatusRow).default({}),
  /** Markdown shown under the table (a plan's task table). */
  appendix: z.string().optional(),
});
export type StatusData = z.infer<typeof StatusData>;

const ICON: Record<StageState, string> = {
  queued: "🕓 queued",
  running: "⏳ running",
  passed: "✅ passed",
  waiting: "⏸️ waiting for you",
  blocked: "⛔ blocked",
  retrying: "🔁 retrying",
  stopped: "⏹️ stopped",
};

/** Reads the rows out of the existing status comment (empty when there is none). */
export function readStatus(comments: IssueComment[]): { comment?: IssueComment; data: StatusData } {
  const comment = findLastByMarker(comments, STATUS_MARKER);
  const match = comment?.body ? DATA.exec(comment.body) : null;
  if (!match) return { comment, data: { rows: {} } };
  try {
    return { comment, data: StatusData.parse(JSON.parse(match[1] ?? "{}")) };
  } catch {
    return { comment, data: { rows: {} } };
  }
}

/** Cents, or two significant digits below a cent: a short run on a cheap model is not "$0.00". */
function formatCost(usd: number): string {
  return usd === 0 || usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(2)}`;
}

function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function formatRow(name: string, row: StatusRow | undefined): string {
  if (!row) return `| ${name} | · not started | | | | | |`;
  const agent = row.backend ? `${row.backend}${row.model ? ` · ${row.model}` : ""}` : "—";
  const tokens = row.input_tokens !== undefined ? `${row.input_tokens} / ${row.output_tokens ?? 0}` : "—";
  const cost = row.cost_usd !== undefined ? formatCost(row.cost_usd) : "—";
  const links = [row.artifact_url ? `[${name}](${row.artifact_url})` : "", row.pr_url ? `[PR](${row.pr_url})` : ""].filter(Boolean);
  const state = `${ICON[row.state]}${row.revision && row.revision > 1 ? ` (rev ${row.revision})` : ""}`;
  const out = [...links, row.note ?? ""].filter(Boolean).join(" · ") || "—";
  return `| ${name} | ${state} | ${agent} | ${formatDuration(row.duration_ms)} | ${tokens} | ${cost} | ${out} |`;
}

/** Renders the whole comment: a headline, the table, and the data block. */
/**
 * Stages an issue passes through on the way (the first stage, and every stage a `pass`,
 * `approved` or gate label leads to): shown as "not started" before they run. Side roads
 * (a plan after design's `split`, a scheduled sweep) show only once they ran.
 */
function onTheWay(pipeline: Pipeline): Set<string> {
  const produced = new Set(pipeline.stages.flatMap((s) => [s.next.pass, s.next.approved, s.next.gate]));
  return new Set(pipeline.stages.filter((s, i) => i === 0 || produced.has(s.on)).map((s) => s.name));
}

export function renderStatus(pipeline: Pipeline, data: StatusData, headline: string, now = new Date()): string {
  const way = onTheWay(pipeline);
  const names = [
    ...pipeline.stages.filter((s) => way.has(s.name) || data.rows[s.name]).map((s) => s.name),
    ...Object.keys(data.rows).filter((n) => !pipeline.stages.some((s) => s.name === n)),
  ];
  const rows = names.map((name) => formatRow(name, data.rows[name]));
  return [
    STATUS_MARKER,
    `### Baton · ${headline}`,
    "",
    "| Stage | State | Agent | Duration | Tokens in / out | Cost | Output |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    ...(data.appendix ? ["", data.appendix] : []),
    "",
    `<sub>Updated ${now.toISOString().replace("T", " ").slice(0, 16)} UTC · comment \`/baton status\` to refresh, \`/baton retry\` to re-run a stage.</sub>`,
    `<!-- baton:status-data ${JSON.stringify(data)} -->`,
  ].join("\n");
}
