import { readFile } from "node:fs/promises";
import { z } from "zod";
import { OUTPUT_SCHEMAS, type AgentKind } from "./outputs.js";

const templates = new Map<AgentKind, Promise<string>>();

/** The built-in template of a stage kind (versioned in `src/agents/prompts/<kind>.md`). */
export function builtinTemplate(kind: AgentKind): Promise<string> {
  let template = templates.get(kind);
  if (!template) {
    template = readFile(new URL(`./prompts/${kind}.md`, import.meta.url), "utf8");
    templates.set(kind, template);
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
 * fenced json block matching the stage kind's schema.
 */
export function renderPrompt(kind: AgentKind, template: string, context: Record<string, unknown>): string {
  const body = template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, path: string) => format(lookup(context, path)));
  const schema = JSON.stringify(z.toJSONSchema(OUTPUT_SCHEMAS[kind], { io: "input" }), null, 2);
  return `${body.trim()}\n\n## Answer format\n\nEnd your answer with exactly one fenced \`\`\`json block that validates against this JSON Schema:\n\n\`\`\`json\n${schema}\n\`\`\`\n`;
}
