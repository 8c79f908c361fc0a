import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initParams, rng } from '../../core/nn/model';
import { ThreadedGrpoUpdater } from '../../core/rl/grpo/threaded-updater';
import type { RolloutGroup } from '../../core/rl/grpo/types';
import { GrpoUpdater } from '../../core/rl/grpo/update';
import { tinyVlaTokenPolicy } from '../../core/rl/policies/tiny-vla';
import { PolicyRunner } from '../../core/rl/policy-runner';
import { mulberry32 } from '../../core/util/rng';
import { defaultTinyVlaConfig } from '../../models/tiny-vla/config';
import { buildVocab } from '../../models/tiny-vla/tokenizer';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const cfg = defaultTinyVlaConfig({ imageSize: 16, vocab: buildVocab(['press the button']) });
const policy = tinyVlaTokenPolicy(cfg);
const params = initParams(policy.model, 0);

/** Eight one-decision rollouts from random frames, three of them rewarded. */
async function group(): Promise<RolloutGroup> {
  const rand = rng(5);
  const img = () => ({
    width: 16,
    height: 16,
    data: Uint8Array.from({ length: 16 * 16 * 3 }, () => Math.floor(rand() * 255)),
  });
  const obs = Array.from({ length: 8 }, () => ({
    state: [0, 10, -10, 5, 0, 50],
    images: { front: img(), wrist: img() },
    instruction: 'press the button',
  }));
  const runner = new PolicyRunner(policy, 1);
  const act = await runner.act({ policy, params, version: 0 }, obs, 1.6, rand);
  await runner.release();
  const rollouts = act.decisions.map((d, i) => ({
    groupId: 'g',
    task: 'press_button',
    seed: 0,
    decisions: [d],
    finishStep: cfg.chunk,
    reward: (i % 3 === 0 ? 1 : 0) as 0 | 1,
    policyVersion: 0,
  }));
  return { id: 'g', task: 'press_button', seed: 0, rollouts };
}

describe('GRPO updates in a worker thread', () => {
  it('give the same weights as in this thread, and leave this thread free while they train', async () => {
    const g = await group();
    const config = { rowsPerStep: 4, lr: 1e-3, epochs: 3, threads: 1 };
    const local = await GrpoUpdater.create(policy, params, config);
    const remote = await ThreadedGrpoUpdater.create(policy, params, config);
    // the worker shuffles its mini-batches with mulberry32(seed), the seed drawn from `random`
    const seed = Math.floor(mulberry32(9)() * 2 ** 32);
    const mLocal = await local.update([g], mulberry32(seed));

    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const t0 = performance.now();
    const mRemote = await remote.update([g], mulberry32(9));
    const ms = performance.now() - t0;
    clearInterval(timer);
    // a blocked event loop would tick about once per training step (6 here)
    console.log(`update in a worker: ${ms.toFixed(0)} ms, this thread's 1-ms timer fired ${ticks} times`);
    expect(ticks).toBeGreaterThan(Math.min(20, ms / 4));

    expect(mRemote).toEqual(mLocal);
    for (const p of policy.model.params) expect(remote.params.get(p.name)).toEqual(local.params.get(p.name));
    const first = policy.model.params[0]?.name as string;
    expect(remote.params.get(first)).not.toEqual(params.get(first));

    // a checkpoint saved by the worker restores into a fresh one, weights and meta
    const dir = mkdtempSync(join(tmpdir(), 'pushcut-threaded-updater-'));
    dirs.push(dir);
    await remote.save(join(dir, 'a.ckpt'), { updates: 1 });
    const again = await ThreadedGrpoUpdater.create(policy, params, config);
    expect(await again.restore(join(dir, 'a.ckpt'))).toEqual({ updates: 1 });
    expect(again.params).toEqual(remote.params);
    await expect(again.restore(join(dir, 'missing.ckpt'))).rejects.toThrow(/missing\.ckpt/);

    await remote.release();
    await expect(remote.update([g])).rejects.toThrow(/released/);
    await Promise.all([local.release(), again.release()]);
  }, 60_000);

  it('refuses a policy that cannot be rebuilt in a worker, saying what to do', async () => {
    const { spec: _, ...bare } = policy;
    await expect(ThreadedGrpoUpdater.create(bare, params)).rejects.toThrow(/has no spec.*GrpoUpdater/);
  });
});
