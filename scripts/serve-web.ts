import { serveWebMode } from '../core/api/serve';

/** `npm start` falls back to this when Electron cannot run: the same UI, in a browser. */
const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : undefined;
const why = process.env.PUSHCUT_WEB_REASON;

try {
  const { server, close } = await serveWebMode(port === undefined ? {} : { port });
  if (why) console.log(`Web mode, because ${why}.`);
  console.log(`Pushcut Studio is running. Open this URL in a browser on this machine:\n\n  ${server.url}\n`);
  console.log('The token in the URL is new for each launch; only this machine can connect. Ctrl-C stops.');
  const stop = async () => {
    await close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(`Could not start web mode: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
