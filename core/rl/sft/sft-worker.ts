import { parentPort } from 'node:worker_threads';
import { trainSft } from './train-sft';
import type { SftOptions } from './types';

/** Messages into the worker. */
export type SftWorkerRequest =
  | { type: 'start'; options: Omit<SftOptions, 'onProgress' | 'signal'> }
  | { type: 'cancel' };

/** Worker thread running trainSft so the UI / main event loop stays live. */
const port = parentPort;
if (port) {
  const abort = new AbortController();
  port.on('message', async (msg: SftWorkerRequest) => {
    if (msg.type === 'cancel') {
      abort.abort();
      return;
    }
    try {
      const res = await trainSft({
        ...msg.options,
        signal: abort.signal,
        onProgress: (p) => port.postMessage({ type: 'progress', progress: p }),
      });
      const params = Object.fromEntries(res.params);
      port.postMessage({ type: 'done', result: { ...res, params, history: undefined } });
    } catch (e) {
      port.postMessage({ type: 'error', message: (e as Error).message });
    }
  });
}
