import type { Pipeline, Stage } from "../config/resolve-pipeline.js";
import type { Permission } from "../config/schema.js";
import { isByApp } from "../github/app-identity.js";
import { ensureComment } from "../github/ensure-comment.js";
import { findLabelActor } from "../github/find-label-actor.js";
import { removeLabel } from "../github/labels.js";
import { listComments } from "../github/list-comments.js";
import { cachedRole, hasAtLeast, higherOf } from "../github/permissions.js";
import type { GitHub, IssueRef } from "../github/types.js";
import type { Runtime } from "../runtime.js";
import type { IntakeJob } from "./job-data.js";

export type SenderVerdict = { action: "dropped" | "refused"; reason: string } | undefined;

/**
 * Only Baton's own handoffs and people with enough permission move an issue (README,
 * "Who can trigger what, and how artifacts are trusted"):
 * 1. Find who applied the label: the webhook's sender, or on the reconciler's
 *    paths the issue's latest `labeled` event for it. Commands and the CLI were checked already.
 * 2. The app itself passes; other bots are ignored.
 * 3. A person needs `permissions.trigger`, and `permissions.commands` too when the label
 *    passes a gate (like `/baton approve`). Below it: a comment saying who may, the label off.
 */
export async function checkLabelSender(rt: Runtime, github: GitHub, ref: IssueRef, pipeline: Pipeline, stage: Stage, data: IntakeJob): Promise<SenderVerdict> {
  if (data.source === "command" || data.source === "cli") return undefined;
  const app = await rt.appIdentity();
  let login: string;
  let type: string | undefined;
  if (data.source === "webhook") {
    if (data.sender.login === app.botLogin) return undefined;
    ({ login, type } = data.sender);
  } else {
    const applied = await findLabelActor(github, ref, stage.on);
    if (!applied) return { action: "dropped", reason: `no labeled event says who applied ${stage.on}` };
    if (isByApp(applied, app)) return undefined;
    ({ login, type } = applied.actor);
  }
  if (type === "Bot") return { action: "dropped", reason: `label applied by another bot (${login})` };

  const { gated, minimum, role } = await permissionFor(rt, github, ref, pipeline, stage, login);
  if (hasAtLeast(role, minimum)) return undefined;
  const why = gated
    ? `\`${stage.on}\` passes the **${gated.name}** stage's gate, so applying it needs at least **${minimum}** permission on this repository, like \`/baton approve\` (yours: ${role}).`
    : `Baton only starts the **${stage.name}** stage from \`${stage.on}\` when it is applied by someone with at least **${minimum}** permission on this repository (yours: ${role}).`;
  await ensureComment(
    github,
    ref,
    `<!-- baton:refused delivery=${data.deliveryId} -->`,
    `@${login} ${why} The label was taken off and nothing was started; a maintainer can apply it instead.`,
    await listComments(github, ref, app),
  );
  await removeLabel(github, ref, stage.on);
  return { action: "refused", reason: `${login} has ${role}, below ${minimum}` };
}

/** True when `actor` is a person with the permission applying `stage.on` needs (quietly: no comment, no removal). */
export async function mayApplyLabel(
  rt: Runtime,
  github: GitHub,
  ref: IssueRef,
  pipeline: Pipeline,
  stage: Stage,
  actor: { login: string; type?: string },
): Promise<boolean> {
  if (actor.type === "Bot") return false;
  const { minimum, role } = await permissionFor(rt, github, ref, pipeline, stage, actor.login);
  return hasAtLeast(role, minimum);
}

/** What applying `stage.on` needs (more when it passes a gate), and what `login` has. */
async function permissionFor(rt: Runtime, github: GitHub, ref: IssueRef, pipeline: Pipeline, stage: Stage, login: string) {
  const gated = gateBefore(pipeline, stage);
  const { trigger, commands } = pipeline.config.permissions;
  const minimum: Permission = gated ? higherOf(trigger, commands) : trigger;
  return { gated, minimum, role: await cachedRole(rt, github, ref, login) };
}

/**
 * The gated stage whose outcome label `stage` consumes, if any (its `pass` label, or another
 * way on such as design's `split` → `status:plan`): applying it by hand stands in for
 * `/baton approve`.
 */
function gateBefore(pipeline: Pipeline, stage: Stage): Stage | undefined {
  return pipeline.stages.find((s) => s.gate && Object.entries(s.next).some(([outcome, label]) => outcome !== "gate" && label === stage.on));
}
