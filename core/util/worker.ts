import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Start a worker thread from a module beside the caller. In the built app the module is a `.js`
 * file; in development and tests it is the `.ts` source, which needs tsx's loader in the worker.
 * Usage: `startWorker(new URL('./sim-worker', import.meta.url))`.
 */
export function startWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const base = fileURLToPath(moduleUrl).replace(/\.(ts|js)$/, '');
  for (const ext of ['.js', '.ts']) {
    const file = base + ext;
    if (!existsSync(file)) continue;
    const execArgv = ext === '.ts' ? ['--import', 'tsx', ...(options.execArgv ?? [])] : options.execArgv;
    return new Worker(file, { ...options, execArgv });
  }
  throw new Error(`Worker module not found: ${base}.js or .ts (run \`npm run build\`?)`);
}
