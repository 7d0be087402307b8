import { z } from "zod";
import { isByApp } from "../github/app-identity.js";
import { findLabelActor } from "../github/find-label-actor.js";
import { addLabels } from "../github/labels.js";
import { formatIssue, IssueRef } from "../github/types.js";
import type { Runtime } from "../runtime.js";
import { mayApplyLabel } from "./check-label-sender.js";
import { Actor } from "./job-data.js";
import { loadPipeline } from "./load-pipeline.js";
import { labelKeys, noteRemovedByPerson, type LabelWrite } from "./write-labels.js";

/** A label Baton's own removal took off that Baton did not mean to remove: check it, put it back. */
export const RestoreLabelTask = z.object({ task: z.literal("restore-label"), issue: IssueRef, label: z.string(), sender: Actor });
export type RestoreLabelTask = z.infer<typeof RestoreLabelTask>;

/** The part of an `issues.unlabeled` delivery this needs. */
interface Unlabeled {
  label?: { name: string };
  issue: { number: number };
  repository: { id: number; name: string; owner: { login: string } };
  installation: { id: number };
  sender: { login: string; type: string };
}

/**
 * The request path of an `issues.unlabeled` delivery (Redis only, no GitHub call):
 * - a person took a label off: remembered, so the next handoff (which writes the whole set
 *   from an older read) leaves it off;
 * - a bot took it off: when it is a removal Baton recorded before its write, that record is
 *   used up and nothing else happens (the common case: one per transition); otherwise a
 *   `restore-label` task looks closer, off the request path.
 */
export async function acceptUnlabeled(rt: Runtime, deliveryId: string, payload: Unlabeled, jobOptions: object): Promise<"queued" | "ignored"> {
  if (!payload.label) return "ignored";
  const ref = {
    installationId: payload.installation.id,
    repoId: payload.repository.id,
    owner: payload.repository.owner.login,
    repo: payload.repository.name,
    number: payload.issue.number,
  };
  const label = payload.label.name;
  if (payload.sender.type !== "Bot") {
    await noteRemovedByPerson(rt, ref, label);
    return "ignored";
  }
  if (await rt.redis.srem(labelKeys.intents(rt, ref), label.toLowerCase())) return "ignored";
  const task: RestoreLabelTask = { task: "restore-label", issue: ref, label, sender: { login: payload.sender.login, type: payload.sender.type } };
  await rt.queues.repo.add("restore-label", task, { ...jobOptions, jobId: `d-${deliveryId}` });
  return "queued";
}

/**
 * Puts back a label that one of Baton's whole-set writes removed because it went on after
 * the read the write was computed from (docs/architecture.md §1). It is put back only when
 * - Baton's own app removed it (another bot's removal is that bot's business),
 * - a recent write of Baton's left it out without meaning to remove it,
 * - its latest `labeled` event is someone else's, at or after that write's read,
 * - and, for a label that starts a stage, that someone may apply it: re-added by Baton it
 *   would otherwise pass as Baton's own handoff.
 * A re-added pipeline label then takes the normal path (claimed, or parked while another
 * stage holds the issue).
 */
export async function restoreClobberedLabel(rt: Runtime, data: RestoreLabelTask): Promise<string> {
  const { issue: ref, label } = data;
  const app = await rt.appIdentity();
  if (data.sender.login !== app.botLogin) return "removed by another bot";
  const writes = (await rt.redis.lrange(labelKeys.writes(rt, ref), 0, -1)).map((text) => JSON.parse(text) as LabelWrite);
  const name = label.toLowerCase();
  const candidates = writes.filter((w) => !w.after.includes(name) && !w.removed.includes(name));
  if (!candidates.length) return "removed on purpose";
  const github = await rt.auth(ref.installationId);
  const applied = await findLabelActor(github, ref, label);
  if (!applied || isByApp(applied, app)) return "Baton's own label";
  // GitHub's event times are whole seconds: the label went on within a second after `at`.
  const at = Date.parse(applied.created_at ?? "") + 1000;
  if (!candidates.some((w) => at > w.readAt)) return "on the issue before Baton's read: removed on purpose";
  const config = await loadPipeline(rt, github, ref);
  const stage = config.ok ? config.pipeline.stages.find((s) => s.on === label) : undefined;
  if (config.ok && stage && !(await mayApplyLabel(rt, github, ref, config.pipeline, stage, applied.actor)))
    return `${applied.actor.login} may not apply ${label}: not put back`;
  await addLabels(github, ref, [label]);
  rt.log.warn({ issue: formatIssue(ref), label, by: applied.actor.login }, "a label added during Baton's label write was removed by it: put back");
  await rt.events.emit({ type: "label_restored", repo: `${ref.owner}/${ref.repo}`, issue: ref.number, label, applied_by: applied.actor.login });
  return `restored ${label}`;
}
