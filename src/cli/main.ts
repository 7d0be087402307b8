import { Command } from "commander";
import { registerDemo } from "./commands/demo.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerEvents } from "./commands/events.js";
import { registerKnowledge } from "./commands/knowledge.js";
import { registerRun } from "./commands/run.js";
import { registerStatus } from "./commands/status.js";
import { registerValidate } from "./commands/validate.js";
import { CliError } from "./connect.js";

/**
 * The `baton` command. Each subcommand lives in `commands/` and registers itself here,
 * one line each.
 */
const program = new Command()
  .name("baton")
  .description("Baton: a GitHub App that runs an AI delivery pipeline on issues, driven by status labels")
  .showHelpAfterError();

registerValidate(program);
registerRun(program);
registerStatus(program);
registerEvents(program);
registerDoctor(program);
registerDemo(program);
registerKnowledge(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`baton: ${(error as Error).message}`);
  process.exitCode = error instanceof CliError ? error.exitCode : 1;
}
