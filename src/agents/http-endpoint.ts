import type { AgentRef } from "../config/schema.js";
import { classifyApiError } from "./api-errors.js";
import { cachedHealth } from "./health-cache.js";
import { readSecret } from "./read-secret.js";
import type { BackendHealth } from "./types.js";

export interface HttpEndpoint {
  baseURL: string;
  /** Absent when the base URL is one the operator did not configure (see below). */
  apiKey: string | undefined;
  model: string | undefined;
}

export interface EndpointSpec {
  backend: string;
  /** The server's base URL variable and its default. */
  urlVar: string;
  defaultUrl: string;
  keyVar: string;
  modelVar: string;
}

const trimSlash = (url: string) => url.replace(/\/+$/, "");

/**
 * Where an HTTP backend sends a task, and with which key. The operator's key goes only to
 * the operator's base URL (the env variable, or the vendor's API): a repository config
 * that points `base_url` elsewhere (a local Ollama, say) gets no key, so a config change
 * in a repository cannot send the server's key to a host of its choosing.
 */
export function resolveEndpoint(agent: AgentRef, spec: EndpointSpec, env: Readonly<NodeJS.ProcessEnv>): HttpEndpoint {
  const operatorUrl = trimSlash(env[spec.urlVar] || spec.defaultUrl);
  const baseURL = agent.base_url ? trimSlash(agent.base_url) : operatorUrl;
  return {
    baseURL,
    apiKey: baseURL === operatorUrl ? readSecret(spec.keyVar, env) : undefined,
    model: agent.model ?? (env[spec.modelVar] || undefined),
  };
}

/** Why the endpoint cannot be used before asking it anything, if it cannot. */
export function misconfigured(endpoint: HttpEndpoint, spec: EndpointSpec): string | undefined {
  if (!endpoint.model) return `no model: set \`model:\` on the stage's agent in .github/baton.yml, or ${spec.modelVar} on the server`;
  if (!endpoint.apiKey && endpoint.baseURL === trimSlash(spec.defaultUrl)) return `${spec.keyVar} (or ${spec.keyVar}_FILE) is not set on the server`;
  return undefined;
}

/** Health of an HTTP backend: configured, and its endpoint answers a model listing (cached). */
export function httpHealth(endpoint: HttpEndpoint, spec: EndpointSpec, listModels: () => Promise<unknown>): Promise<BackendHealth> {
  return cachedHealth(`${spec.backend}:${endpoint.baseURL}:${endpoint.model}:${Boolean(endpoint.apiKey)}`, async () => {
    const problem = misconfigured(endpoint, spec);
    if (problem) return { ok: false, detail: problem };
    try {
      await listModels();
      return { ok: true, detail: `${endpoint.baseURL} answers; model ${endpoint.model}` };
    } catch (error) {
      return { ok: false, detail: classifyApiError(error, spec.backend, endpoint.baseURL, new AbortController().signal).message };
    }
  });
}
