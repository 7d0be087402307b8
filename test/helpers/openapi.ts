import { createRequire } from "node:module";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";

/** GitHub's own description of its REST API and webhooks (`@octokit/openapi`): the sandbox must answer what it says. */
export const spec = createRequire(import.meta.url)("@octokit/openapi/generated/api.github.com.deref.json") as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
  "x-webhooks": Record<string, { post: { requestBody: { content: Record<string, { schema: object }> } } }>;
};
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));

/** OpenAPI 3.0's `nullable: true` written the JSON Schema way, which Ajv reads without a `type` beside it. */
function withNulls(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withNulls);
  if (!schema || typeof schema !== "object") return schema;
  const { nullable, ...rest } = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === "example" || k === "examples" ? v : withNulls(v)])) as Record<string, unknown>;
  if (nullable !== true) return rest;
  if (typeof rest.type === "string") return { ...rest, type: [rest.type, "null"], ...(Array.isArray(rest.enum) && !rest.enum.includes(null) ? { enum: [...rest.enum, null] } : {}) };
  return { anyOf: [rest, { type: "null" }] };
}

/** Throws with Ajv's account of every difference when `value` does not match `schema`. */
export function expectMatches(schema: object, value: unknown, what: string): void {
  const validate = ajv.compile(withNulls(schema) as object);
  const ok = validate(value);
  if (!ok) throw new Error(`${what} does not match GitHub's schema: ${ajv.errorsText(validate.errors, { separator: "\n" })}`);
}
