import { z } from "zod";

export const CommandName = z.enum(["approve", "retry", "stop", "status", "base", "revise"]);
export type CommandName = z.infer<typeof CommandName>;

/**
 * The `/baton <command>` in a comment: the first line that starts with `/baton`.
 * Returns the command, `unknown` for `/baton something-else`, or undefined for no command.
 */
export function parseCommand(body: string): CommandName | "unknown" | undefined {
  const line = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /^\/baton(\s|$)/i.test(l));
  if (!line) return undefined;
  const word = line.split(/\s+/)[1]?.toLowerCase() ?? "status";
  return CommandName.safeParse(word).data ?? "unknown";
}
