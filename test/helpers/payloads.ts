import { createRequire } from "node:module";
import { sign } from "@octokit/webhooks-methods";

type Example = Record<string, unknown> & { action?: string };

// A CommonJS JSON package: require keeps it off the deprecated JSON-import path.
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as unknown;

/** A real payload from @octokit/webhooks-examples, by event and action (deep-copied). */
export function examplePayload(event: string, action: string): Example {
  const group = (examples as unknown as { name: string; examples: Example[] }[]).find((g) => g.name === event);
  const example = group?.examples.find((e) => e.action === action);
  if (!example) throw new Error(`no example payload for ${event}.${action}`);
  return structuredClone(example);
}

export interface LabeledOptions {
  label: string;
  repoId?: number;
  owner?: string;
  repo?: string;
  number?: number;
  installationId?: number;
  sender?: { login: string; type: string };
}

/** An `issues.labeled` delivery as GitHub sends it to an app (with `installation`). */
export function labeledPayload(options: LabeledOptions): Example {
  const payload = examplePayload("issues", "labeled") as Record<string, any>;
  payload.label = { ...payload.label, name: options.label };
  payload.repository.id = options.repoId ?? payload.repository.id;
  payload.repository.name = options.repo ?? payload.repository.name;
  payload.repository.owner.login = options.owner ?? payload.repository.owner.login;
  payload.issue.number = options.number ?? payload.issue.number;
  payload.issue.labels = [{ ...payload.label }];
  payload.installation = { id: options.installationId ?? 7, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNw==" };
  if (options.sender) payload.sender = { ...payload.sender, ...options.sender };
  return payload;
}

/** Headers GitHub sends with a delivery, signed with `secret`. */
export async function signedHeaders(event: string, body: string, secret: string, deliveryId: string): Promise<Record<string, string>> {
  return {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": deliveryId,
    "x-hub-signature-256": await sign(secret, body),
    "user-agent": "GitHub-Hookshot/test",
  };
}
