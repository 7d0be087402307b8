import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted answer: a text reply (with usage), or an HTTP error. */
/** `delayMs` holds the answer back, as a slow model does. */
export type Reply =
  { text: string; input_tokens?: number; output_tokens?: number; delayMs?: number } | { status: number; message?: string; retryAfter?: string };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, any> | undefined;
}

/**
 * An OpenAI-compatible (`/v1/chat/completions`, `/v1/models`) and Anthropic
 * (`/v1/messages`, `/v1/models`) API on 127.0.0.1, answering in their wire formats —
 * server-sent events when the client streams — from a script of replies. The official
 * SDKs talk to it through their base URL.
 */
export class FakeModelApi {
  readonly requests: RecordedRequest[] = [];
  private readonly script: Reply[] = [];
  /** Answered once the script is used up. */
  fallback: Reply = { text: "(no scripted reply)" };
  private server!: Server;
  url = "";

  static async start(): Promise<FakeModelApi> {
    const api = new FakeModelApi();
    api.server = createServer((req, res) => void api.handle(req, res));
    await new Promise<void>((resolve) => api.server.listen(0, "127.0.0.1", resolve));
    api.url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    return api;
  }

  reply(...replies: Reply[]): this {
    this.script.push(...replies);
    return this;
  }

  /** Completions asked for (model listings left out). */
  get completions(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === "POST");
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = raw ? (JSON.parse(raw) as Record<string, any>) : undefined;
    const path = (req.url ?? "").split("?")[0] as string;
    this.requests.push({ method: req.method ?? "", path, headers: req.headers, body });
    const anthropic = Boolean(req.headers["anthropic-version"]);
    if (req.method === "GET" && path === "/v1/models") return this.models(res, anthropic);
    if (req.method !== "POST" || (path !== "/v1/chat/completions" && path !== "/v1/messages")) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `no route ${req.method} ${path}` } }));
      return;
    }
    const reply = this.script.shift() ?? this.fallback;
    if ("status" in reply) return this.error(res, reply, anthropic);
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return;
    if (path === "/v1/messages") return this.anthropicMessage(res, body ?? {}, reply);
    return this.openaiCompletion(res, body ?? {}, reply);
  }

  private models(res: ServerResponse, anthropic: boolean): void {
    const data = anthropic
      ? {
          data: [{ type: "model", id: "claude-fake", display_name: "Fake", created_at: "2026-01-01T00:00:00Z" }],
          has_more: false,
          first_id: "claude-fake",
          last_id: "claude-fake",
        }
      : { object: "list", data: [{ id: "gpt-fake", object: "model", created: 0, owned_by: "fake" }] };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(data));
  }

  private error(res: ServerResponse, reply: { status: number; message?: string; retryAfter?: string }, anthropic: boolean): void {
    const message = reply.message ?? `fake error ${reply.status}`;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (reply.retryAfter !== undefined) headers["retry-after"] = reply.retryAfter;
    const body = anthropic
      ? { type: "error", error: { type: reply.status === 429 ? "rate_limit_error" : "api_error", message } }
      : { error: { message, type: "server_error", code: null } };
    res.writeHead(reply.status, headers).end(JSON.stringify(body));
  }

  private openaiCompletion(res: ServerResponse, body: Record<string, any>, reply: { text: string; input_tokens?: number; output_tokens?: number }): void {
    const base = { id: "chatcmpl-fake", created: 1_700_000_000, model: body.model };
    const usage = {
      prompt_tokens: reply.input_tokens ?? 100,
      completion_tokens: reply.output_tokens ?? 50,
      total_tokens: (reply.input_tokens ?? 100) + (reply.output_tokens ?? 50),
    };
    if (!body.stream) {
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          ...base,
          object: "chat.completion",
          choices: [{ index: 0, message: { role: "assistant", content: reply.text }, finish_reason: "stop" }],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    const chunk = (delta: object, finish: string | null) => ({
      ...base,
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    send(chunk({ role: "assistant", content: "" }, null));
    for (const piece of pieces(reply.text)) send(chunk({ content: piece }, null));
    send(chunk({}, "stop"));
    if (body.stream_options?.include_usage) send({ ...base, object: "chat.completion.chunk", choices: [], usage });
    res.end("data: [DONE]\n\n");
  }

  private anthropicMessage(res: ServerResponse, body: Record<string, any>, reply: { text: string; input_tokens?: number; output_tokens?: number }): void {
    const usage = { input_tokens: reply.input_tokens ?? 100, output_tokens: reply.output_tokens ?? 50 };
    const message = { id: "msg_fake", type: "message", role: "assistant", model: body.model, stop_reason: "end_turn", stop_sequence: null };
    if (!body.stream) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ...message, content: [{ type: "text", text: reply.text }], usage }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const send = (event: string, data: object) => res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
    send("message_start", { message: { ...message, content: [], stop_reason: null, usage: { input_tokens: usage.input_tokens, output_tokens: 1 } } });
    send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    for (const piece of pieces(reply.text)) send("content_block_delta", { index: 0, delta: { type: "text_delta", text: piece } });
    send("content_block_stop", { index: 0 });
    send("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
    send("message_stop", {});
    res.end();
  }
}

/** Splits a reply into a few stream chunks, as a model would send it. */
function pieces(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 4));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
