import { enterSandbox, type PreparedCommand, type SandboxedCommand } from "./enter-sandbox.js";
import { requireSandbox } from "./probe-sandbox.js";
import type { SandboxSettings } from "./settings.js";

export interface CommandToPrepare extends Omit<SandboxedCommand, "bwrap"> {
  settings: SandboxSettings;
  /** The environment it gets when BATON_SANDBOX=off (today's scrubbed server environment); its PATH finds bwrap. */
  hostEnv: NodeJS.ProcessEnv;
}

/**
 * What to spawn for a command that runs model-written code or repository-controlled
 * commands: wrapped in the sandbox (refused, with a blocking error, when it cannot start),
 * or as it is when the operator turned the sandbox off.
 */
export async function prepareCommand(command: CommandToPrepare): Promise<PreparedCommand> {
  if (command.settings.BATON_SANDBOX === "off") return { executable: command.executable, args: command.args, env: command.hostEnv, release: async () => {} };
  const bwrap = await requireSandbox(command.settings, command.hostEnv.PATH);
  return enterSandbox({ ...command, bwrap });
}
