import { sanitizeUntrusted } from "../agents/sanitize-untrusted.js";
import type { IssueSnapshot } from "./types.js";

/** The issue as an agent sees it: untrusted text with HTML comments and invisible characters removed. */
export function issueContext(issue: IssueSnapshot): Record<string, unknown> {
  return {
    number: issue.number,
    title: sanitizeUntrusted(issue.title),
    body: sanitizeUntrusted(issue.body),
    labels: issue.labels,
    author: issue.author,
  };
}
