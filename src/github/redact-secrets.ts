import { SECRET_NAME } from "../process/scrubbed-env.js";

/**
 * Token-shaped strings Baton must never post, log or hand to an agent: GitHub tokens
 * (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), OpenAI and Anthropic keys, bearer headers,
 * credentials in URLs, and PEM private keys.
 */
const PATTERNS: RegExp[] = [
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bsk-(?:ant-)?[A-Za-z0-9_-]{20,}\b/g,
  /\b(Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{20,}/gi,
  /(https?:\/\/)[^/\s:@]+:[^/\s@]+@/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/**
 * The values of the server's own secrets (API keys of any shape, the webhook secret), so
 * that a key an agent echoes is caught even when it matches no pattern above.
 */
function secretValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && name !== "APP_ID" && name !== "REDIS_URL" && value !== undefined && value.length >= 12)
    .map(([, value]) => value as string);
}

export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const value of secretValues(env)) out = out.split(value).join("[redacted]");
  for (const pattern of PATTERNS) {
    out = out.replace(pattern, (match, prefix: unknown) =>
      typeof prefix === "string" && /^https?:\/\/$/.test(prefix)
        ? `${prefix}[redacted]@`
        : typeof prefix === "string" && /^(Bearer|token|Basic)$/i.test(prefix)
          ? `${prefix} [redacted]`
          : "[redacted]",
    );
  }
  return out;
}
