import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Start a worker thread from a module beside the caller. In a built app the module is a `.js`
 * file; in development and tests it is the `.ts` source. On Node 20, `--import tsx` in a worker's
 * execArgv does not register tsx's loader inside the worker ("Unknown file extension .ts"), so a
 * `.ts` module starts through a tiny bootstrap that registers tsx's ESM hooks, then imports it.
 * Usage: `startWorker(new URL('./sim-worker', import.meta.url))`.
 */
export function startWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const base = fileURLToPath(moduleUrl).replace(/\.(ts|js)$/, '');
  if (existsSync(`${base}.js`)) return new Worker(`${base}.js`, options);
  if (!existsSync(`${base}.ts`)) throw new Error(`Worker module not found: ${base}.js or .ts`);
  const href = pathToFileURL(`${base}.ts`).href;
  const bootstrap = `import(${JSON.stringify(tsxApi())}).then(({ register }) => { register(); return import(${JSON.stringify(href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** tsx's ESM API, resolved from here so the worker finds it whatever the working directory. */
function tsxApi(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return 'tsx/esm/api';
  }
}
