import { parentPort } from 'node:worker_threads';
import { type ExpertKind, evaluateExpert } from './evaluate';

/** Worker side of evaluateExpertsInWorkers: one message in, one evaluation out. */
parentPort?.on('message', async (job: { taskId: string; expert: ExpertKind; seeds: number }) => {
  try {
    const result = await evaluateExpert(job.taskId, job.seeds, job.expert);
    parentPort?.postMessage({ ok: true, result });
  } catch (err) {
    parentPort?.postMessage({ ok: false, error: (err as Error).message });
  }
});
