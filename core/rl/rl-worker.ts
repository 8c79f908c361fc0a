/** Worker-thread entry of an RL job: start with startRlJobWorker (rl-worker-host.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { RecordingSession } from '../data/recorder';
import { SO101_JOINTS } from '../hardware/robot';
import { VectorEnv } from '../sim/vector/vector-env';
import { buildPolicy, initialParams } from './policy-spec';
import { DatasetRolloutRecorder } from './recorder';
import { RL_SIM_DEFAULTS, runRlJob } from './rl-job';
import type { RlWorkerCommand, RlWorkerMessage, RlWorkerSpec } from './rl-worker-protocol';

const spec = workerData as RlWorkerSpec;
const port = parentPort;
const abort = new AbortController();
const post = (m: RlWorkerMessage) => port?.postMessage(m);
port?.on('message', (m: RlWorkerCommand) => {
  if (m.type === 'cancel') abort.abort(new Error('RL job cancelled'));
});

async function main(): Promise<void> {
  const policy = await buildPolicy(spec.policy);
  const groupSize = spec.groupSize ?? RL_SIM_DEFAULTS.groupSize;
  const cameras = spec.cameras ?? false;
  const pool = await VectorEnv.create({
    envs: { task: spec.tasks[0] as string, count: spec.envs ?? groupSize },
    workers: spec.envWorkers,
    cameras,
    layoutSpread: spec.layoutSpread,
  });
  let recorder: DatasetRolloutRecorder | undefined;
  try {
    if (spec.datasetRoot) {
      const cams = cameras ? ['front', 'wrist'] : [];
      const session = await RecordingSession.open({
        root: spec.datasetRoot,
        fps: spec.fps ?? 30,
        robot: {
          joints: [...SO101_JOINTS],
          robotType: 'so101_sim',
          cameras: cams.map((name) => ({
            name,
            width: cameras ? cameras.width : 0,
            height: cameras ? cameras.height : 0,
          })),
        },
      });
      recorder = new DatasetRolloutRecorder(session, cams);
    }
    const res = await runRlJob({
      ...spec,
      policy,
      pool,
      initialParams: initialParams(policy.model, spec.initialCheckpoint),
      recorder,
      signal: abort.signal,
      onEvent: (event) => post({ type: 'event', event }),
    });
    post({
      type: 'result',
      reason: res.reason,
      policyVersion: res.policyVersion,
      evalBefore: res.evalBefore,
      evalAfter: res.evalAfter,
      best: res.best,
      message: res.message,
    });
  } finally {
    await recorder?.close();
    await pool.close();
  }
}

main().catch((err: unknown) =>
  post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
);
