/**
 * Issue text is untrusted input to agents (prompt injection). A person reading the rendered
 * issue does not see HTML comments, Markdown comments (`[//]: # (…)`), image alt text, link
 * titles, most HTML attributes, or invisible and bidirectional-control characters, so
 * instructions hidden there would reach the model unseen by whoever applied the label. All of
 * those are removed before text reaches a prompt; what stays is what people could read. The
 * list follows what claude-code-action strips from untrusted GitHub text.
 */
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
/** A link reference definition that points nowhere (`#` or `<>`): Markdown's comment idiom. */
const MARKDOWN_COMMENT = /^ {0,3}\[[^\]\n]*\]:[ \t]*(?:#|<>)(?:[ \t].*)?(?:\n|$)/gm;
const IMAGE_ALT = /!\[[^\]]*\]\(/g;
/** `[text](url "title")`, `'title'` or `(title)`: the title is a tooltip nobody reads. */
const LINK_TITLE = /(\]\([^\s)]+)\s+(?:"[^"]*"|'[^']*'|\([^)]*\))\s*\)/g;
/** Attributes GitHub renders as tooltips or not at all. */
const HIDDEN_ATTRIBUTE = /\s(?:alt|title|aria-[a-z-]+|data-[a-z0-9-]+|placeholder)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi;
const HTML_TAG = /<[a-z][a-z0-9-]*\b[^<>]*>/gi;
const NUMERIC_ENTITY = /&#(?:(\d+)|[xX]([0-9a-fA-F]+));/g;
// Zero-width, BOM, word joiner, soft hyphen, bidi embeddings/overrides/isolates, tag
// characters, variation selectors, and control characters other than tab and newline.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class -- lone invisible characters are exactly what this removes
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFE00-\uFE0F\uFEFF]|\uDB40[\uDC00-\uDDEF]/g;

/** A numeric entity stays only as the printable ASCII it stands for (so `&#8203;` cannot hide a zero-width space). */
function decodeEntity(_match: string, dec: string | undefined, hex: string | undefined): string {
  const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? "", 16);
  return code >= 32 && code <= 126 ? String.fromCharCode(code) : "";
}

export function sanitizeUntrusted(text: string): string {
  return text
    .replace(HTML_COMMENT, "")
    .replace(MARKDOWN_COMMENT, "")
    .replace(IMAGE_ALT, "![](")
    .replace(LINK_TITLE, "$1)")
    .replace(HTML_TAG, (tag) => tag.replace(HIDDEN_ATTRIBUTE, ""))
    .replace(NUMERIC_ENTITY, decodeEntity)
    .replace(INVISIBLE, "");
}
