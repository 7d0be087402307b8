import type { AgentRef } from "../config/schema.js";
import { readSecret } from "./read-secret.js";

export interface HttpEndpoint {
  baseURL: string;
  /** Absent when the base URL is one the operator did not configure (see below). */
  apiKey: string | undefined;
  model: string | undefined;
}

interface Spec {
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
export function resolveEndpoint(agent: AgentRef, spec: Spec, env: NodeJS.ProcessEnv = process.env): HttpEndpoint {
  const operatorUrl = trimSlash(env[spec.urlVar] || spec.defaultUrl);
  const baseURL = agent.base_url ? trimSlash(agent.base_url) : operatorUrl;
  return {
    baseURL,
    apiKey: baseURL === operatorUrl ? readSecret(spec.keyVar, env) : undefined,
    model: agent.model ?? (env[spec.modelVar] || undefined),
  };
}
