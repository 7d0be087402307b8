import { PermanentError, TransientError } from "../errors.js";

/**
 * Maps an error from the official OpenAI or Anthropic SDK (same shapes: `status`, and
 * `APIConnectionError`/`APIUserAbortError` by name) to Baton's retry semantics. The SDKs
 * have already retried 408/409/429/5xx with backoff (honouring `retry-after`) by then.
 */
export function classifyApiError(error: unknown, backend: string, endpoint: string, signal: AbortSignal): Error {
  if (signal.aborted) return signal.reason instanceof Error ? signal.reason : new TransientError("the agent was stopped");
  const status = (error as { status?: unknown }).status;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof status !== "number") return new TransientError(`the ${backend} API at ${endpoint} could not be reached: ${message}`);
  if (status === 401 || status === 403) {
    return new PermanentError(`the ${backend} API at ${endpoint} refused the credentials (${status}): ${message}`, {
      hint: "Check the API key the workers use (see the README's agent backends section), then comment `/baton retry`.",
    });
  }
  if (status === 400 || status === 404 || status === 413 || status === 422) {
    return new PermanentError(`the ${backend} API at ${endpoint} rejected the request (${status}): ${message}`, {
      hint: "Check the model name and the stage's agent settings in .github/baton.yml, then comment `/baton retry`.",
    });
  }
  return new TransientError(`the ${backend} API at ${endpoint} failed (${status}): ${message}`);
}
