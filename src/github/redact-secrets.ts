import { readFileSync } from "node:fs";
import { SECRET_NAME } from "../process/scrubbed-env.js";

/**
 * Token-shaped strings Baton must never post, log or hand to an agent: GitHub tokens
 * (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), OpenAI and Anthropic keys, bearer headers,
 * credentials in URLs, and PEM private keys (also inside JSON, where newlines are `\n`).
 */
const PATTERNS: RegExp[] = [
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bsk-(?:ant-)?[A-Za-z0-9_-]{20,}\b/g,
  /\b(Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{20,}/gi,
  /(https?:\/\/)[^/\s:@]+:[^/\s@]+@/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** Shorter values are too likely to be ordinary words to replace wherever they appear. */
const MIN_SECRET_LENGTH = 8;

/** Rewrites text so no secret in it survives. */
export type Redact = (text: string) => string;

function readQuietly(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * The server's own secrets, read once: the values of secret-named variables (API keys of
 * any shape, the webhook secret), and the contents of the files that `NAME_FILE` variables
 * and `PRIVATE_KEY_PATH` point at. Each also in its JSON-escaped form, since events and
 * `json baton` blocks are redacted as serialized text. Longest first, so a secret that
 * contains another is replaced whole.
 */
export function readSecretValues(env: NodeJS.ProcessEnv): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || name === "APP_ID" || name === "REDIS_URL") continue;
    const file = name === "PRIVATE_KEY_PATH" || (name.endsWith("_FILE") && SECRET_NAME.test(name.slice(0, -5))) ? readQuietly(value) : undefined;
    const found = file !== undefined ? [file, file.trim()] : SECRET_NAME.test(name) ? [value] : [];
    for (const secret of found) {
      if (secret.length < MIN_SECRET_LENGTH) continue;
      values.add(secret);
      values.add(JSON.stringify(secret).slice(1, -1));
    }
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/** A redaction step over a secret list read once from `env` (the runtime's `processEnv`). */
export function createRedactor(env: Readonly<NodeJS.ProcessEnv>): Redact {
  const secrets = readSecretValues(env);
  return (text) => {
    let out = text;
    for (const value of secrets) if (out.includes(value)) out = out.split(value).join("[redacted]");
    for (const pattern of PATTERNS) {
      out = out.replace(pattern, (_match, prefix: unknown) =>
        typeof prefix === "string" && /^https?:\/\/$/.test(prefix)
          ? `${prefix}[redacted]@`
          : typeof prefix === "string" && /^(Bearer|token|Basic)$/i.test(prefix)
            ? `${prefix} [redacted]`
            : "[redacted]",
      );
    }
    return out;
  };
}
