import Anthropic from "@anthropic-ai/sdk";
import type { AgentRef } from "../../config/schema.js";
import { PermanentError } from "../../errors.js";
import { classifyApiError } from "../api-errors.js";
import { httpHealth, misconfigured, resolveEndpoint, type EndpointSpec, type HttpEndpoint } from "../http-endpoint.js";
import type { AgentBackend, AgentServer } from "../types.js";

const ANTHROPIC_URL = "https://api.anthropic.com";
/** The Messages API needs a ceiling on the answer; a spec or a review fits well within it. */
const DEFAULT_MAX_TOKENS = 8192;
const SPEC: EndpointSpec = {
  backend: "anthropic",
  urlVar: "ANTHROPIC_BASE_URL",
  defaultUrl: ANTHROPIC_URL,
  keyVar: "ANTHROPIC_API_KEY",
  modelVar: "BATON_ANTHROPIC_MODEL",
};
const endpointOf = (agent: AgentRef, server: AgentServer) => resolveEndpoint(agent, SPEC, server.processEnv);
const client = (endpoint: HttpEndpoint, timeoutMs: number, maxRetries = 2) =>
  new Anthropic({ baseURL: endpoint.baseURL, apiKey: endpoint.apiKey ?? "no-key", maxRetries, timeout: timeoutMs });

/** The Anthropic Messages API through the official SDK, streamed. */
export const anthropic: AgentBackend = {
  name: "anthropic",
  async run(task) {
    const started = Date.now();
    const endpoint = endpointOf(task.agent, task.server);
    const problem = misconfigured(endpoint, SPEC);
    if (problem) throw new PermanentError(`the anthropic backend is not configured: ${problem}.`);
    try {
      const stream = client(endpoint, task.timeoutMs).messages.stream(
        { model: endpoint.model as string, max_tokens: task.agent.max_tokens ?? DEFAULT_MAX_TOKENS, messages: [{ role: "user", content: task.prompt }] },
        { signal: task.signal },
      );
      stream.on("text", (delta) => task.onOutput?.(delta));
      const message = await stream.finalMessage();
      const text = message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
      const u = message.usage;
      return {
        text,
        model: message.model,
        usage: {
          input_tokens: u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0),
          output_tokens: u.output_tokens,
          duration_ms: Date.now() - started,
        },
      };
    } catch (error) {
      throw classifyApiError(error, "anthropic", endpoint.baseURL, task.signal);
    }
  },
  health(agent, server) {
    const endpoint = endpointOf(agent, server);
    return httpHealth(endpoint, SPEC, () => client(endpoint, 5000, 0).models.list({ limit: 1 }, { signal: AbortSignal.timeout(5000) }));
  },
};
