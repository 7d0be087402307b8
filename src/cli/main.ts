import { Command } from "commander";
import { registerValidate } from "./commands/validate.js";

/**
 * The `baton` command. Each subcommand lives in `commands/` and registers itself here,
 * one line each.
 */
const program = new Command()
  .name("baton")
  .description("Baton: a GitHub App that runs an AI delivery pipeline on issues, driven by status labels")
  .showHelpAfterError();

registerValidate(program);

await program.parseAsync(process.argv);
