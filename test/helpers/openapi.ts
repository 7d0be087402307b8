import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

type Operation = { responses: Record<string, { content?: Record<string, { schema: object }> }> };

/** GitHub's own description of its REST API and webhooks (`@octokit/openapi`, api.github.com): the sandbox must answer what it says. */
export const spec = createRequire(import.meta.url)("@octokit/openapi/generated/api.github.com.deref.json") as {
  paths: Record<string, Record<string, Operation>>;
  "x-webhooks": Record<string, { post: { requestBody: { content: Record<string, { schema: object }> } } }>;
};
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
const compiled = new Map<string, ValidateFunction>();

/** OpenAPI 3.0's `nullable: true` written the JSON Schema way, which Ajv reads without a `type` beside it. */
function withNulls(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withNulls);
  if (!schema || typeof schema !== "object") return schema;
  const { nullable, ...rest } = Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, k === "example" || k === "examples" ? v : withNulls(v)]),
  ) as Record<string, unknown>;
  if (nullable !== true) return rest;
  if (typeof rest.type === "string")
    return { ...rest, type: [rest.type, "null"], ...(Array.isArray(rest.enum) && !rest.enum.includes(null) ? { enum: [...rest.enum, null] } : {}) };
  return { anyOf: [rest, { type: "null" }] };
}

/** Throws with Ajv's account of every difference when `value` does not match `schema`. */
export function expectMatches(schema: object, value: unknown, what: string): void {
  const validate = ajv.compile(withNulls(schema) as object);
  const ok = validate(value);
  if (!ok) throw new Error(`${what} does not match GitHub's schema: ${ajv.errorsText(validate.errors, { separator: "\n" })}`);
}

/** Each documented path as a pattern; the most specific (fewest `{…}`) wins: `/issues/comments` before `/issues/{issue_number}`. */
const templates = Object.keys(spec.paths)
  .map((template) => ({
    template,
    params: (template.match(/\{/g) ?? []).length,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]*")}$`),
  }))
  .sort((a, b) => a.params - b.params);

/** The documented path a concrete request path belongs to (`/repos/acme/web/pulls/1` → `/repos/{owner}/{repo}/pulls/{pull_number}`). */
export function operationOf(method: string, path: string): string | undefined {
  // An empty last parameter (the contents root, `path: ""`) reaches the server without its slash.
  return [path, `${path}/`].map((p) => templates.find((t) => t.pattern.test(p) && spec.paths[t.template]?.[method.toLowerCase()])?.template).find(Boolean);
}

/**
 * Why a 2xx JSON answer does not match what GitHub documents for the operation, one line
 * per mismatch; empty when it matches.
 */
export function openApiMismatches(method: string, path: string, status: number, body: unknown): string[] {
  const template = operationOf(method, path);
  if (!template) return [`${method} ${path}: not an operation GitHub documents`];
  const schema = spec.paths[template]?.[method.toLowerCase()]?.responses[String(status)]?.content?.["application/json"]?.schema;
  if (!schema) return [`${method} ${template}: GitHub does not answer ${status} with JSON`];
  const key = `${method} ${template} ${status}`;
  let validate = compiled.get(key);
  if (!validate) compiled.set(key, (validate = ajv.compile(withNulls(schema) as object)));
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${method} ${template} → ${status}: ${e.instancePath || "/"} ${e.message}`);
}
