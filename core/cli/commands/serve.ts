import type { Command } from 'commander';
import { CliError } from '../errors';

export function serveCommand(cli: Command): void {
  cli
    .command('serve')
    .description('serve the app in web mode on 127.0.0.1 (prints the URL with its access token)')
    .option('-p, --port <port>', 'port to listen on', parsePort, 5177)
    .action(async (opts: { port: number }) => {
      const { serveWebMode } = await import('../../api/serve');
      const { server, close } = await serveWebMode({ port: opts.port });
      console.log(`Pushcut Studio: open ${server.url}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await close();
    });
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(`--port must be 0..65535, got "${v}"`, 2);
  return n;
}
