/**
 * Collects streamed agent output and hands it on in batches (every `maxChars` or `everyMs`),
 * so a chatty agent produces a few `agent_output` events, not thousands.
 */
export function batchOutput(send: (text: string) => void, { maxChars = 4000, everyMs = 1000 } = {}) {
  let buffer = "";
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (buffer) send(buffer);
    buffer = "";
  };
  const push = (chunk: string) => {
    buffer += chunk;
    if (buffer.length >= maxChars) flush();
    else timer ??= setTimeout(flush, everyMs);
  };
  return { push, flush };
}
