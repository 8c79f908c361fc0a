import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StudioClient } from './studio-client';
import { startWebServer, type WebServer } from './web-server';

export interface WebModeOptions {
  port?: number;
  staticDir?: string;
}

export function appVersion(): string {
  const pkg = new URL('../../package.json', import.meta.url);
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** The renderer's build output, found from the source tree or from dist/. */
export function rendererDir(): string {
  return fileURLToPath(new URL('../../dist/renderer', import.meta.url));
}

/** Web mode: the Studio in its worker, the UI and the API on 127.0.0.1. */
export async function serveWebMode(
  options: WebModeOptions = {},
): Promise<{ server: WebServer; close(): Promise<void> }> {
  const studio = StudioClient.start('web', appVersion());
  try {
    const server = await startWebServer({
      studio,
      staticDir: options.staticDir ?? rendererDir(),
      port: options.port ?? Number(process.env.PUSHCUT_PORT ?? 5177),
    });
    return {
      server,
      close: async () => {
        await server.close();
        await studio.close();
      },
    };
  } catch (err) {
    await studio.close();
    throw err;
  }
}
