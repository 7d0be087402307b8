import { randomUUID } from "node:crypto";
import type { Job } from "bullmq";
import { acceptDelivery } from "../../src/pipeline/accept-delivery.js";
import type { IntakeJob } from "../../src/pipeline/job-data.js";
import type { Runtime } from "../../src/runtime.js";
import type { FakeGitHub } from "./fake-github.js";
import { labeledPayload } from "./payloads.js";

export const REPO_ID = 9001;

/** Accepts an `issues.labeled` delivery for the fake's repository; returns the intake jobs it made. */
export async function deliverLabel(
  rt: Runtime,
  fake: FakeGitHub,
  options: { label: string; number: number; deliveryId?: string; sender?: { login: string; type: string } },
): Promise<Job<IntakeJob>[]> {
  const deliveryId = options.deliveryId ?? randomUUID();
  const payload = labeledPayload({ label: options.label, number: options.number, repoId: REPO_ID, owner: fake.owner, repo: fake.repo, sender: options.sender });
  await acceptDelivery(rt, { id: deliveryId, name: "issues", payload });
  const jobs = await rt.queues.intake.getJobs(["waiting", "prioritized", "delayed", "active"]);
  return jobs.filter((j) => j.data.deliveryId === deliveryId);
}
