import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../core/data/reader';
import { validateDataset } from '../../core/data/validate';
import type { StateMlpConfig } from '../../core/rl/policies/state-mlp';
import type { RlEvent } from '../../core/rl/rl-job';
import { type RlWorkerSpec, startRlJobWorker } from '../../core/rl/rl-worker-host';
import { saveParams, weakPolicy } from './helpers/weak-policy';

const TASK = 'press_button';
let root: string;
let spec: Omit<RlWorkerSpec, 'updates'>;
let mlpConfig: StateMlpConfig;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pushcut-rl-worker-'));
  const w = await weakPolicy(TASK);
  mlpConfig = w.config;
  const ckpt = join(root, 'sft.ckpt');
  saveParams(ckpt, w.policy, w.params);
  spec = {
    runDir: join(root, 'run'),
    tasks: [TASK],
    policy: { kind: 'state-mlp', config: w.config },
    initialCheckpoint: ckpt,
    envs: 8,
    envWorkers: 1,
    cameras: false,
    groupSize: 8,
    groupsPerBatch: 1,
    maxGroupsPerBatch: 6,
    seedRange: 1,
    seed: 3,
    update: { lr: 5e-3, rowsPerStep: 32, threads: 1 },
    datasetRoot: join(root, 'dataset'),
  };
}, 60_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('RL job in a worker thread', () => {
  it('records every rollout as a dataset episode, survives a kill and resumes from its checkpoint', async () => {
    // run 1: killed right after its first checkpoint (as if the app died)
    const events: RlEvent[] = [];
    const first = startRlJobWorker({ ...spec, updates: 5 }, (e) => {
      events.push(e);
      if (e.type === 'checkpoint') void first.kill();
    });
    await expect(first.done).rejects.toThrow(/exited|terminated|before the job finished/);
    expect(events.some((e) => e.type === 'checkpoint')).toBe(true);
    const afterKill = (await openDataset(spec.datasetRoot as string)).listEpisodes();
    expect(afterKill.length).toBeGreaterThanOrEqual(8);
    expect(afterKill.every((e) => e.source === 'rollout')).toBe(true);
    expect(afterKill[0]?.policyVersion).toBe('0');
    expect(afterKill.some((e) => e.success === true)).toBe(true);

    // run 2: same run folder -> resumes after update 1 and finishes update 2
    const resumed: RlEvent[] = [];
    const second = startRlJobWorker({ ...spec, updates: 2 }, (e) => resumed.push(e));
    const res = await second.done;
    expect(res.reason).toBe('completed');
    expect(res.policyVersion).toBe(2);
    expect(resumed[0]).toMatchObject({ type: 'started', resumedFrom: 1 });
    const all = (await openDataset(spec.datasetRoot as string)).listEpisodes();
    expect(all.length).toBeGreaterThanOrEqual(afterKill.length + 8);
    expect(all.some((e) => e.policyVersion === '1')).toBe(true);
    expect(await validateDataset(spec.datasetRoot as string)).toEqual([]);
  }, 150_000);

  it('reports a clear error for a checkpoint of another policy', async () => {
    const bad = startRlJobWorker({
      ...spec,
      runDir: join(root, 'run-bad'),
      datasetRoot: undefined,
      policy: { kind: 'state-mlp', config: { ...mlpConfig, hidden: 32 } },
      updates: 1,
    });
    await expect(bad.done).rejects.toThrow(/does not fit policy/);
  }, 60_000);
});
