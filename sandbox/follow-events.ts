/** A Baton event as the SSE stream carries it. */
export type StreamEvent = Record<string, unknown> & { type: string; stage?: string };

/** Follows Baton's `/baton/events` SSE stream, calling `onEvent` for each event until closed. */
export function followEvents(url: string, onEvent: (event: StreamEvent) => void, headers: Record<string, string> = {}): { close(): void } {
  const controller = new AbortController();
  void (async () => {
    try {
      const res = await fetch(url, { headers, signal: controller.signal });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split("\n").find((l) => l.startsWith("data: "));
          if (data) onEvent(JSON.parse(data.slice(6)) as StreamEvent);
        }
      }
    } catch {
      // Closed by the caller, or the app went away: either way the demo goes on without it.
    }
  })();
  return { close: () => controller.abort() };
}
