import { z } from "zod";
import type { ProbotOctokit } from "probot";

/** The Octokit Baton uses: Probot's, authenticated as an installation. */
export type GitHub = ProbotOctokit;

/** Plain ids naming a repository and the installation that reaches it (never a token). */
export const RepoRef = z.object({
  installationId: z.number().int(),
  repoId: z.number().int(),
  owner: z.string().min(1),
  repo: z.string().min(1),
});
export type RepoRef = z.infer<typeof RepoRef>;

/** Plain ids naming an issue: what job data carries. */
export const IssueRef = RepoRef.extend({ number: z.number().int().positive() });
export type IssueRef = z.infer<typeof IssueRef>;

/** `owner/repo#n`, for logs and messages. */
export function formatIssue(ref: Pick<IssueRef, "owner" | "repo" | "number">): string {
  return `${ref.owner}/${ref.repo}#${ref.number}`;
}

/** The fields of an issue comment Baton reads. */
export interface IssueComment {
  id: number;
  body?: string | null;
  html_url: string;
  user: { login: string; type?: string } | null;
  /** The app that wrote it, when an app did (see app-identity.ts: what makes a comment Baton's). */
  performed_via_github_app?: { id: number; slug?: string } | null;
  created_at: string;
  updated_at: string;
}
