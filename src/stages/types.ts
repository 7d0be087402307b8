import type { Logger } from "pino";
import type { AgentEvent, Usage } from "../agents/types.js";
import type { Pipeline, Stage } from "../config/resolve-pipeline.js";
import type { GitHub, IssueComment, IssueRef } from "../github/types.js";
import type { Runtime } from "../runtime.js";

/** The issue as a stage sees it, read fresh from GitHub at the start of the run. */
export interface IssueSnapshot {
  number: number;
  title: string;
  body: string;
  labels: string[];
  author: string;
  html_url: string;
}

/** Everything a stage handler gets for one run. */
export interface StageRun {
  rt: Runtime;
  github: GitHub;
  ref: IssueRef;
  issue: IssueSnapshot;
  /** The issue's comments at the start of the run (artifacts of earlier stages are here). */
  comments: IssueComment[];
  pipeline: Pipeline;
  stage: Stage;
  runId: string;
  /** Aborted by `/baton stop` or shutdown. */
  signal: AbortSignal;
  log: Logger;
  /** Streams agent output into batched `agent_output` events. */
  onOutput: (chunk: string) => void;
  /** Reports the agent runner's `backend_delegating` and `dispatch_spawned` events. */
  onAgentEvent: (event: AgentEvent) => void;
  /** When this run first waited for its PR's checks (it resumes as the same job); undefined: it has not waited. */
  waitingSince?: number;
  /** What the agent was shown of the repository's knowledge (set by `agentRequest`, shown in the status comment). */
  seen?: SeenKnowledge;
}

/** The briefing commit and the earlier lessons a stage's agent was shown. */
export interface SeenKnowledge {
  briefingSha?: string;
  /** Whether the briefing holds the scout's summary (`summarized`) or its pass failed; absent when `scout:` was off. */
  scout?: "summarized" | "failed";
  /** The scout's cost when this run built the briefing: recorded in the run's artifacts, so it counts toward `budget_usd`. */
  scoutUsage?: Usage;
  /** Links to the lessons (issue comments) quoted in the prompt. */
  lessons: string[];
}

/** How a stage ended: an outcome key of `stage.next`, and what the status comment shows. */
export interface StageResult {
  outcome: string;
  artifactUrl?: string;
  prUrl?: string;
  revision?: number;
  usage?: Usage;
  backend?: string;
  model?: string;
  /** A few words for the status row. */
  note?: string;
  /** Labels to add together with the handoff label (one request), e.g. triage's classification. */
  labels?: string[];
  /** Markdown for under the status table (the plan's task table). */
  appendix?: string;
}

/** One stage kind. Throw PermanentError to block, anything else to retry. */
export type StageHandler = (run: StageRun) => Promise<StageResult>;
