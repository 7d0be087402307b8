import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { AgentAllowlists } from "../../config/check-agent-flags.js";
import { formatProblems, parseConfigText } from "../../config/parse-config.js";
import { CONFIG_PATH } from "../../pipeline/load-pipeline.js";
import { cliEnv } from "../connect.js";

/** Exit codes of `baton validate`. */
export const VALIDATE_EXIT = { valid: 0, invalid: 1, unreadable: 2 } as const;

/** `baton validate [file]`: the same checks the app runs, with the same messages. */
export async function validateFile(file: string, allowlists: AgentAllowlists, out: (line: string) => void): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" || file !== CONFIG_PATH) {
      out(`✗ cannot read ${file}: ${(error as Error).message}`);
      return VALIDATE_EXIT.unreadable;
    }
    out(`No ${CONFIG_PATH}: the default pipeline applies.`);
    text = "";
  }
  const result = parseConfigText(text, allowlists);
  if (!result.ok) {
    out(`✗ ${file} is invalid:\n${formatProblems(result.problems)}`);
    return VALIDATE_EXIT.invalid;
  }
  const stages = result.pipeline.stages.map((s) => `${s.name} (${s.on} → ${Object.values(s.next).join(" | ")})`);
  out(`✓ ${file} is valid: ${stages.join(", ")}`);
  if (result.warnings.length) out(formatProblems(result.warnings));
  return VALIDATE_EXIT.valid;
}

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check a Baton config file (exit 0 valid, 1 invalid, 2 unreadable)")
    .argument("[file]", "the config file", CONFIG_PATH)
    .action(async (file: string) => {
      process.exitCode = await validateFile(file, cliEnv(), (line) => console.log(line));
    });
}
