import type { Authored } from "./app-identity.js";
import type { GitHub, IssueRef } from "./types.js";

/** Who applied a label, as the issue's `labeled` event records it. */
export type LabelActor = Authored & { actor: { login: string; type?: string }; created_at?: string };

/**
 * The latest `labeled` event for `label` on an issue (`GET /repos/{o}/{r}/issues/{n}/events`):
 * who applied the label that is on it now. Undefined when no event names it.
 */
export async function findLabelActor(github: GitHub, ref: IssueRef, label: string): Promise<LabelActor | undefined> {
  const events = (await github.paginate(github.rest.issues.listEvents, { owner: ref.owner, repo: ref.repo, issue_number: ref.number, per_page: 100 })) as {
    event: string;
    label?: { name: string };
    actor?: { login: string; type?: string } | null;
    performed_via_github_app?: { id: number } | null;
    created_at?: string;
  }[];
  const wanted = label.toLowerCase();
  const found = events.filter((e) => e.event === "labeled" && e.label?.name.toLowerCase() === wanted && e.actor).pop();
  return found?.actor ? { actor: found.actor, performed_via_github_app: found.performed_via_github_app, created_at: found.created_at } : undefined;
}
