import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { startWorker } from '../../util/worker';

/**
 * Start a worker thread from a module beside the caller, like core/util/worker.ts's startWorker.
 * On Node 20, `--import tsx` in a Worker's execArgv does not register tsx's loader inside the
 * worker ("Unknown file extension .ts"), so a `.ts` source is started through a tiny bootstrap
 * that registers tsx's ESM hooks in the worker and then imports the module. A built `.js` module
 * goes through startWorker unchanged.
 */
export function startModuleWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const base = fileURLToPath(moduleUrl).replace(/\.(ts|js)$/, '');
  if (existsSync(`${base}.js`) || !existsSync(`${base}.ts`)) return startWorker(moduleUrl, options);
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
