import { readFile } from "node:fs/promises";
import { z } from "zod";

const templates = new Map<string, Promise<string>>();

/** The built-in template of a stage kind (its module names the file, versioned in `src/agents/prompts/`). */
export function builtinTemplate(url: URL): Promise<string> {
  let template = templates.get(url.href);
  if (!template) {
    template = readFile(url, "utf8");
    templates.set(url.href, template);
  }
  return template;
}

function lookup(context: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((value, key) => (value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), context);
}

function format(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map((v) => `- ${typeof v === "string" ? v : JSON.stringify(v)}`).join("\n");
  return JSON.stringify(value, null, 2);
}

/**
 * Fills `{{path}}` placeholders from the context, then appends the answer format: one
 * fenced json block matching the stage kind's answer schema.
 */
export function renderPrompt(output: z.ZodType, template: string, context: Record<string, unknown>): string {
  const body = template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, path: string) => format(lookup(context, path)));
  const schema = JSON.stringify(z.toJSONSchema(output, { io: "input" }), null, 2);
  return `${body.trim()}\n\n## Answer format\n\nEnd your answer with exactly one fenced \`\`\`json block that validates against this JSON Schema:\n\n\`\`\`json\n${schema}\n\`\`\`\n`;
}
