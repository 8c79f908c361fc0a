import { Command, CommanderError } from 'commander';
import { appVersion, serveWebMode } from '../api/serve';

/** A failure the user can fix: printed without a stack, with a non-zero exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

function program(): Command {
  const cli = new Command('pushcut')
    .description('Pushcut Studio from the command line: the same jobs the app runs, headless.')
    .version(appVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  cli
    .command('serve')
    .description('serve the app in web mode on 127.0.0.1 (prints the URL with its access token)')
    .option('-p, --port <port>', 'port to listen on', (v) => parsePort(v), 5177)
    .action(async (opts: { port: number }) => {
      const { server, close } = await serveWebMode({ port: opts.port });
      console.log(`Pushcut Studio: open ${server.url}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await close();
    });

  return cli;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(`--port must be 0..65535, got "${v}"`, 2);
  return n;
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
