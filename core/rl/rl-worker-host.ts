import { startWorker } from '../util/worker';
import type { RlEvent } from './rl-job';
import type { RlWorkerCommand, RlWorkerMessage, RlWorkerSpec } from './rl-worker-protocol';

export type { RlWorkerSpec } from './rl-worker-protocol';

export interface RlJobHandle {
  /** Resolves when the job ends (completed, converged, stalled or cancelled); rejects on error. */
  done: Promise<Extract<RlWorkerMessage, { type: 'result' }>>;
  cancel(): void;
  /** Stop the worker at once (a crash, as far as the run folder is concerned). */
  kill(): Promise<void>;
}

/** Run an RL job in its own worker thread; events stream to `onEvent`. */
export function startRlJobWorker(spec: RlWorkerSpec, onEvent: (e: RlEvent) => void = () => {}): RlJobHandle {
  const worker = startWorker(new URL('./rl-worker', import.meta.url), { workerData: spec });
  const done = new Promise<Extract<RlWorkerMessage, { type: 'result' }>>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: RlWorkerMessage) => {
      if (m.type === 'event') onEvent(m.event);
      else if (m.type === 'result') {
        settled = true;
        resolve(m);
        void worker.terminate();
      } else {
        settled = true;
        reject(new Error(`RL job failed: ${m.message}`));
        void worker.terminate();
      }
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled)
        reject(
          new Error(
            `RL worker exited (code ${code}) before the job finished; start it again to resume from the last checkpoint`,
          ),
        );
    });
  });
  return {
    done,
    cancel: () => worker.postMessage({ type: 'cancel' } satisfies RlWorkerCommand),
    kill: async () => {
      await worker.terminate();
    },
  };
}
