/** Worker-thread entry of ThreadedGrpoUpdater: a GrpoUpdater answering requests one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { mulberry32 } from '../../util/rng';
import { buildPolicy } from '../policy-spec';
import { GrpoUpdater } from './update';
import type { UpdaterReply, UpdaterRequest, UpdaterWorkerData } from './updater-protocol';

const data = workerData as UpdaterWorkerData;
const post = (m: UpdaterReply) => parentPort?.postMessage(m);

async function main(): Promise<void> {
  const updater = await GrpoUpdater.create(await buildPolicy(data.policy), data.params, data.config);
  // requests are answered in order: an update never overlaps a save of the same weights
  let queue = Promise.resolve();
  parentPort?.on('message', (req: UpdaterRequest) => {
    queue = queue.then(async () => {
      try {
        if (req.type === 'update') {
          const metrics = await updater.update(req.groups, mulberry32(req.seed), req.extra);
          post({ type: 'updated', id: req.id, metrics, params: updater.params });
        } else if (req.type === 'save') {
          await updater.save(req.path, req.meta);
          post({ type: 'saved', id: req.id });
        } else {
          const meta = await updater.restore(req.path);
          post({ type: 'restored', id: req.id, meta, params: updater.params });
        }
      } catch (err) {
        post({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) });
      }
    });
  });
  post({ type: 'ready', temperature: updater.temperature });
}

main().catch((err: unknown) =>
  post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
);
