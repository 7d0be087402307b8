import OpenAI from "openai";
import type { AgentRef } from "../../config/schema.js";
import { PermanentError } from "../../errors.js";
import { classifyApiError } from "../api-errors.js";
import { httpHealth, misconfigured, resolveEndpoint, type EndpointSpec, type HttpEndpoint } from "../http-endpoint.js";
import type { AgentBackend, AgentServer } from "../types.js";

const OPENAI_URL = "https://api.openai.com/v1";
const SPEC: EndpointSpec = { backend: "openai", urlVar: "OPENAI_BASE_URL", defaultUrl: OPENAI_URL, keyVar: "OPENAI_API_KEY", modelVar: "BATON_OPENAI_MODEL" };
const endpointOf = (agent: AgentRef, server: AgentServer) => resolveEndpoint(agent, SPEC, server.processEnv);

/** Local servers (Ollama, vLLM, LM Studio) take any key; the SDK insists on one. */
const client = (endpoint: HttpEndpoint, timeoutMs: number, maxRetries = 2) =>
  new OpenAI({ baseURL: endpoint.baseURL, apiKey: endpoint.apiKey ?? "no-key", maxRetries, timeout: timeoutMs });

/**
 * Any OpenAI-compatible chat completions API through the official SDK: OpenAI, Ollama,
 * vLLM, LM Studio, Groq, OpenRouter. Streams, so output shows up as it is written, and
 * asks for usage in the last chunk.
 */
export const openai: AgentBackend = {
  name: "openai",
  async run(task) {
    const started = Date.now();
    const endpoint = endpointOf(task.agent, task.server);
    const problem = misconfigured(endpoint, SPEC);
    if (problem) throw new PermanentError(`the openai backend is not configured: ${problem}.`);
    let text = "";
    let model: string | undefined;
    const usage = { input_tokens: 0, output_tokens: 0 };
    try {
      const stream = await client(endpoint, task.timeoutMs).chat.completions.create(
        { model: endpoint.model as string, messages: [{ role: "user", content: task.prompt }], stream: true, stream_options: { include_usage: true } },
        { signal: task.signal },
      );
      for await (const chunk of stream) {
        model ??= chunk.model;
        const delta = chunk.choices[0]?.delta?.content;
        if (delta) {
          text += delta;
          task.onOutput?.(delta);
        }
        if (chunk.usage) {
          usage.input_tokens = chunk.usage.prompt_tokens;
          usage.output_tokens = chunk.usage.completion_tokens;
        }
      }
    } catch (error) {
      throw classifyApiError(error, "openai", endpoint.baseURL, task.signal);
    }
    return { text, usage: { ...usage, duration_ms: Date.now() - started }, model: model ?? endpoint.model };
  },
  health(agent, server) {
    const endpoint = endpointOf(agent, server);
    return httpHealth(endpoint, SPEC, () => client(endpoint, 5000, 0).models.list({ signal: AbortSignal.timeout(5000) }));
  },
};
