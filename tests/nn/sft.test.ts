import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rng } from '../../core/nn/model';
import { runSftInWorker } from '../../core/rl/sft/run-in-worker';
import { ACTION_RANGE_MARGIN, configFromSamples, trainSft } from '../../core/rl/sft/train-sft';
import type { SftProgress, SftSample } from '../../core/rl/sft/types';
import { TinyVlaPolicy } from '../../models/tiny-vla';

const dir = mkdtempSync(join(tmpdir(), 'nn-sft-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** States near one of three poses; actions drift left or right of that pose per the instruction. */
const PROTOTYPES = [
  [-20, 10, 30, -5, 0, 20],
  [15, -25, 5, 10, 40, 80],
  [0, 0, -30, 25, -40, 50],
];

function syntheticSamples(n: number, seed: number, side = 16): SftSample[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const dir = i % 2 ? 1 : -1;
    const proto = PROTOTYPES[Math.floor(r() * PROTOTYPES.length)] as number[];
    const state = proto.map((v) => v + (r() - 0.5));
    const img = new Uint8Array(side * side * 3).fill(dir > 0 ? 200 : 40);
    return {
      front: img,
      wrist: img,
      state,
      instruction: dir > 0 ? 'move right' : 'move left',
      actionChunk: Array.from({ length: 4 }, (_, s) => proto.map((v) => v + dir * 4 * (s + 1))),
    };
  });
}

describe('trainSft', () => {
  it("bins actions over the demos' q01..q99 range widened on both sides, states over q01..q99", () => {
    const samples = syntheticSamples(200, 3);
    const cfg = configFromSamples(samples);
    const actions = samples.flatMap((s) => s.actionChunk);
    const at = (sorted: number[], q: number) => sorted[Math.round(q * (sorted.length - 1))]!;
    for (let d = 0; d < 6; d++) {
      const vals = actions.map((a) => a[d]!).sort((a, b) => a - b);
      const q01 = at(vals, 0.01);
      const q99 = at(vals, 0.99);
      const pad = ACTION_RANGE_MARGIN * (q99 - q01);
      expect(cfg.actionStats.q01[d]).toBeCloseTo(q01 - pad, 9);
      expect(cfg.actionStats.q99[d]).toBeCloseTo(q99 + pad, 9);
      // Every demo action, extremes included, has a token strictly inside the range.
      expect(vals[0]!).toBeGreaterThan(cfg.actionStats.q01[d]!);
      expect(vals.at(-1)!).toBeLessThan(cfg.actionStats.q99[d]!);
      const states = samples.map((s) => s.state[d]!).sort((a, b) => a - b);
      expect(cfg.stateStats.q01[d]).toBe(at(states, 0.01));
    }
  });

  it('lowers training and validation loss on a learnable synthetic dataset, checkpoints and exports', async () => {
    const events: SftProgress[] = [];
    const res = await trainSft({
      samples: syntheticSamples(120, 1),
      steps: 60,
      batchSize: 16,
      lr: 3e-3,
      valFraction: 0.2,
      evalEvery: 20,
      threads: 1,
      checkpointDir: dir,
      exportPath: join(dir, 'sft-policy'),
      onProgress: (p) => events.push(p),
    });
    expect(res.cancelled).toBe(false);
    expect(res.steps).toBe(60);
    expect(events).toHaveLength(60);
    expect(events.at(-1)?.valLoss).toBeDefined();
    expect(events.at(-1)?.tokensPerSec).toBeGreaterThan(0);
    expect(res.initialValLoss).toBeGreaterThan(4.5);
    expect(res.finalValLoss).toBeLessThan(res.initialValLoss * 0.7);
    expect(res.finalLoss).toBeLessThan(res.firstLoss * 0.7);
    expect(res.checkpointPath && existsSync(res.checkpointPath)).toBe(true);
    const policy = await TinyVlaPolicy.load(res.exported!.onnxPath, 1);
    expect(policy.config.chunk).toBe(4);
    await policy.release();
  });

  it('stops early when its AbortSignal fires, and resumes from the checkpoint', async () => {
    const ac = new AbortController();
    const res = await trainSft({
      samples: syntheticSamples(40, 2),
      steps: 50,
      batchSize: 8,
      threads: 1,
      checkpointDir: join(dir, 'not-yet-created'),
      signal: ac.signal,
      onProgress: (p) => {
        if (p.step === 3) ac.abort();
      },
    });
    expect(res.cancelled).toBe(true);
    expect(res.steps).toBe(3);
    const resumed = await trainSft({
      samples: syntheticSamples(40, 2),
      steps: 1,
      batchSize: 8,
      threads: 1,
      resumeFrom: res.checkpointPath,
    });
    expect(resumed.steps).toBe(1);
  });

  it('fine-tunes from a base policy: starts at the base’s loss, not a fresh network’s', async () => {
    const opts = { steps: 40, batchSize: 16, lr: 3e-3, valFraction: 0, threads: 1 };
    const base = await trainSft({ samples: syntheticSamples(80, 4), ...opts });
    const fresh = await trainSft({ samples: syntheticSamples(40, 5), ...opts, steps: 1 });
    const tuned = await trainSft({
      samples: syntheticSamples(40, 5),
      ...opts,
      steps: 1,
      policyConfig: base.config,
      initialParams: base.params,
    });
    expect(base.finalLoss).toBeLessThan(base.firstLoss * 0.7);
    expect(tuned.firstLoss).toBeLessThan(fresh.firstLoss * 0.7);
    expect(tuned.config.actionStats).toEqual(base.config.actionStats);
  });

  it('with the episode clock, learns actions that only the frame index tells apart', async () => {
    // one image, one instruction, one state: the first 32 frames move every joint one way, the next 32 the other
    const img = new Uint8Array(16 * 16 * 3).fill(120);
    const samples: SftSample[] = Array.from({ length: 64 }, (_, step) => ({
      front: img,
      wrist: img,
      state: [0, 0, 0, 0, 0, 50],
      instruction: 'move',
      step,
      actionChunk: Array.from({ length: 4 }, () => [...Array(5).fill(step < 32 ? -40 : 40), 50]),
    }));
    const opts = { samples, steps: 100, batchSize: 16, lr: 3e-3, valFraction: 0, threads: 1, clockJitter: 2 };
    const blind = await trainSft(opts);
    const timed = await trainSft({ ...opts, policyConfig: { clockInput: true } });
    // without the clock the best is a 50/50 guess on 20 of the 24 tokens: ln 2 x 20/24 = 0.58 nats above
    expect(timed.finalLoss).toBeLessThan(blind.finalLoss - 0.3);
    const policy = await TinyVlaPolicy.fromParams(timed.config, timed.params, 1);
    const first = async (step: number) => (await policy.act([{ ...samples[0]!, step }])).actions[0]![0]![0]!;
    expect(await first(2)).toBeLessThan(-20);
    expect(await first(60)).toBeGreaterThan(20);
    await policy.release();
    await expect(
      trainSft({
        ...opts,
        samples: samples.map(({ step: _, ...s }) => s),
        policyConfig: { clockInput: true },
      }),
    ).rejects.toThrow(/has no frame index/);
  });

  it('runs in a worker thread with progress events and cancel', async () => {
    const seen: number[] = [];
    const job = runSftInWorker(
      { samples: syntheticSamples(40, 3), steps: 200, batchSize: 8, threads: 1 },
      (p) => {
        seen.push(p.step);
        if (p.step === 4) job.cancel();
      },
    );
    const res = await job.done;
    expect(res.cancelled).toBe(true);
    expect(res.steps).toBeGreaterThanOrEqual(4);
    expect(res.steps).toBeLessThan(200);
    expect(seen.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(res.params.get('head.out.w')?.length).toBe(128 * 256);
  });
});
