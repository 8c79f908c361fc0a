import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { busCommands } from './commands/bus';
import { datasetCommands } from './commands/dataset';
import { demoCommand } from './commands/demo';
import { evalCommand } from './commands/eval';
import { pushcutCommands } from './commands/pushcut';
import { recordCommand } from './commands/record';
import { serveCommand } from './commands/serve';
import { trainCommands } from './commands/train';
import { CliError } from './errors';

export { CliError };

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function program(): Command {
  const cli = new Command('pushcut')
    .description('Pushcut Studio from the command line: the same jobs the app runs, headless.')
    .version(version())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  cli.configureHelp({ sortSubcommands: true });
  for (const add of [
    demoCommand,
    serveCommand,
    recordCommand,
    datasetCommands,
    trainCommands,
    evalCommand,
    pushcutCommands,
    busCommands,
  ])
    add(cli);
  // Subcommands inherit the parent's exit override so errors come back as exit codes.
  const override = (c: Command) => {
    c.exitOverride();
    c.showHelpAfterError('(run with --help for usage)');
    c.commands.forEach(override);
  };
  cli.commands.forEach(override);
  return cli;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof CliError) {
      console.error(`pushcut: ${err.message}`);
      return err.exitCode;
    }
    console.error(`pushcut: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
