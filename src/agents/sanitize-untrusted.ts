/**
 * Issue text is untrusted input to agents (prompt injection): HTML comments hide
 * instructions from people reading the issue, and zero-width or bidirectional control
 * characters hide or reorder text. Both are removed before text reaches a prompt.
 */
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
// Zero-width, BOM, word joiner, soft hyphen, bidi embeddings/overrides/isolates, tag characters.
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]|\uDB40[\uDC00-\uDC7F]/g;

export function sanitizeUntrusted(text: string): string {
  return text.replace(HTML_COMMENT, "").replace(INVISIBLE, "");
}
