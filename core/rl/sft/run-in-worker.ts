import { startWorker } from '../../util/worker';
import type { SftWorkerRequest } from './sft-worker';
import type { SftOptions, SftProgress, SftResult } from './types';

export interface SftJob {
  /** Resolves with the result (params as a Map), including when cancelled early. */
  done: Promise<SftResult>;
  cancel(): void;
}

/** Run `trainSft` in a worker thread; progress events arrive on the calling thread. */
export function runSftInWorker(
  options: Omit<SftOptions, 'onProgress' | 'signal'>,
  onProgress?: (p: SftProgress) => void,
): SftJob {
  const worker = startWorker(new URL('./sft-worker', import.meta.url));
  const history: SftProgress[] = [];
  const done = new Promise<SftResult>((resolve, reject) => {
    worker.on(
      'message',
      (msg: {
        type: string;
        progress?: SftProgress;
        result?: SftResult & { params: Record<string, Float32Array> };
        message?: string;
      }) => {
        if (msg.type === 'progress' && msg.progress) {
          history.push(msg.progress);
          onProgress?.(msg.progress);
        } else if (msg.type === 'done' && msg.result) {
          resolve({ ...msg.result, params: new Map(Object.entries(msg.result.params)), history });
          void worker.terminate();
        } else if (msg.type === 'error') {
          reject(new Error(`SFT failed: ${msg.message}`));
          void worker.terminate();
        }
      },
    );
    worker.on('error', (e) => reject(new Error(`SFT worker crashed: ${e.message}`)));
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`SFT worker exited with code ${code}`));
    });
  });
  worker.postMessage({ type: 'start', options } satisfies SftWorkerRequest);
  return {
    done,
    cancel: () => worker.postMessage({ type: 'cancel' } satisfies SftWorkerRequest),
  };
}
