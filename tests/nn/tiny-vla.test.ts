import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crossEntropy } from '../../core/nn/losses';
import { initParams, paramCount, rng } from '../../core/nn/model';
import { hostTensor } from '../../core/nn/runtime';
import { buildTrainStep } from '../../core/nn/train-step';
import { Trainer } from '../../core/nn/trainer';
import { tinyVlaTokenPolicy } from '../../core/rl/policies/tiny-vla';
import {
  buildVocab,
  defaultTinyVlaConfig,
  detokenizeActions,
  encodeObservations,
  exportTinyVla,
  logSoftmaxRow,
  sample,
  TinyVlaPolicy,
  tinyVla,
  tokenizeActions,
  tokenizeInstruction,
  type VlaObservation,
} from '../../models/tiny-vla';
import { onnxCheck } from './onnx-check';

const dir = mkdtempSync(join(tmpdir(), 'nn-vla-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cfg = defaultTinyVlaConfig({
  vocab: buildVocab(['pick up the red cube', 'push the cube to the goal']),
  stateStats: { q01: [-90, -90, -90, -90, -90, 0], q99: [90, 90, 90, 90, 90, 100] },
  actionStats: { q01: [-90, -90, -90, -90, -90, 0], q99: [90, 90, 90, 90, 90, 100] },
});

function randomObs(n: number, seed: number): VlaObservation[] {
  const r = rng(seed);
  const px = cfg.imageSize * cfg.imageSize * 3;
  return Array.from({ length: n }, (_, i) => ({
    front: Uint8Array.from({ length: px }, () => Math.floor(r() * 256)),
    wrist: Uint8Array.from({ length: px }, () => Math.floor(r() * 256)),
    state: [10, -20, 30, 0, 5, 50].map((v) => v + r() * 10),
    instruction: i % 2 ? 'pick up the red cube' : 'push the blue cube',
  }));
}

describe('tiny-vla', () => {
  it('has a few hundred thousand parameters and emits logits for the whole chunk in one pass', async () => {
    const model = tinyVla(cfg);
    const n = paramCount(model);
    expect(n).toBeGreaterThan(150_000);
    expect(n).toBeLessThan(800_000);
    const policy = await TinyVlaPolicy.fromParams(cfg, initParams(model, 1), 1);
    const logits = await policy.logits(randomObs(3, 1));
    expect(logits.length).toBe(3 * 8 * 6 * 256);
    expect(logits.every(Number.isFinite)).toBe(true);
    const act = await policy.act(randomObs(2, 2), { temperature: 1.6, rand: rng(3) });
    expect(act.actions).toHaveLength(2);
    expect(act.actions[0]).toHaveLength(8);
    expect(act.actions[0]?.[0]).toHaveLength(6);
    expect(act.samples[0]?.tokens.length).toBe(48);
    await policy.release();
  });

  it('tokenizes instructions and actions; detokenize is within half a bin', () => {
    expect(tokenizeInstruction('Pick up the GREEN cube', cfg.vocab, 6)).toEqual([
      cfg.vocab.indexOf('pick'),
      cfg.vocab.indexOf('up'),
      cfg.vocab.indexOf('the'),
      1,
      cfg.vocab.indexOf('cube'),
      0,
    ]);
    const chunk = Array.from({ length: 8 }, (_, s) => [-80 + s * 20, 0, 45.3, -89.9, 89.9, 12.5 * (s % 4)]);
    const tokens = tokenizeActions(chunk, cfg.actionStats, 256);
    expect(Math.max(...tokens)).toBeLessThanOrEqual(255);
    const back = detokenizeActions(tokens, cfg);
    for (const [s, step] of chunk.entries()) {
      for (const [d, a] of step.entries()) {
        const halfBin = (cfg.actionStats.q99[d]! - cfg.actionStats.q01[d]!) / 256 / 2;
        expect(Math.abs(back[s]![d]! - a)).toBeLessThanOrEqual(halfBin + 1e-9);
      }
    }
    // Out-of-range actions clip to the end bins.
    expect(tokenizeActions([[1e6, -1e6, 0, 0, 0, 0]], cfg.actionStats, 256).slice(0, 2)).toEqual([255, 0]);
  });

  it('sampling returns log-probs of a normalised distribution at the sampling temperature', () => {
    const r = rng(9);
    const bins = 16;
    const logits = Array.from({ length: 5 * bins }, () => r() * 6 - 3);
    for (const temperature of [0.7, 1, 1.6]) {
      const s = sample(logits, bins, temperature, rng(4));
      const row = new Float64Array(bins);
      for (let p = 0; p < 5; p++) {
        logSoftmaxRow(logits, p * bins, bins, temperature, row);
        const total = row.reduce((a, v) => a + Math.exp(v), 0);
        expect(total).toBeCloseTo(1, 10);
        expect(s.logp[p]).toBeCloseTo(row[s.tokens[p]!]!, 5);
      }
    }
    const g = sample(logits, bins, 0, Math.random, 'argmax');
    const med = sample(logits, bins, 0);
    const row = new Float64Array(bins);
    for (let p = 0; p < 5; p++) {
      const rowL = logits.slice(p * bins, (p + 1) * bins);
      expect(g.tokens[p]).toBe(rowL.indexOf(Math.max(...rowL)));
      // the median bin: the first whose cumulative probability passes one half
      logSoftmaxRow(logits, p * bins, bins, 1, row);
      let cdf = 0;
      const m = med.tokens[p] as number;
      for (let i = 0; i < m; i++) cdf += Math.exp(row[i] as number);
      expect(cdf).toBeLessThanOrEqual(0.5);
      expect(cdf + Math.exp(row[m] as number)).toBeGreaterThan(0.5);
    }
    // Empirical frequencies follow softmax(logits / T).
    const three = [0, Math.log(2), Math.log(5)];
    const counts = [0, 0, 0];
    const rr = rng(11);
    for (let i = 0; i < 20000; i++) counts[sample(three, 3, 1, rr).tokens[0]!]! += 1;
    expect(counts[0]! / 20000).toBeCloseTo(1 / 8, 1);
    expect(counts[2]! / 20000).toBeCloseTo(5 / 8, 1);
  });

  it('exports: ONNX checker passes, a fresh session equals the training-time forward, corrupt files are refused', async () => {
    const model = tinyVla(cfg);
    const params = initParams(model, 7);
    const { onnxPath } = exportTinyVla(cfg, params, join(dir, 'policy'));
    onnxCheck(onnxPath);
    const obs = randomObs(4, 5);
    const live = await TinyVlaPolicy.fromParams(cfg, params, 1);
    const loaded = await TinyVlaPolicy.load(onnxPath, 1);
    expect(loaded.config.vocab).toEqual(cfg.vocab);
    const a = await live.logits(obs);
    const b = await loaded.logits(obs);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    await Promise.all([live.release(), loaded.release()]);
    writeFileSync(onnxPath, Buffer.from('not a model at all'));
    await expect(TinyVlaPolicy.load(onnxPath)).rejects.toThrow(/cannot load policy/);
  });

  it('the training-step graph passes the ONNX checker and a step starts near ln(256)', async () => {
    const spec = {
      model: tinyVla(cfg),
      batch: 2,
      extraInputs: [{ name: 'actions', shape: [48], dtype: 'int64' as const }],
      loss: (
        o: Record<string, import('../../core/nn/tensor').Tensor>,
        e: Record<string, import('../../core/nn/tensor').Tensor>,
      ) => crossEntropy(o.logits!, e.actions!),
      threads: 1,
    };
    const path = join(dir, 'train-step.onnx');
    writeFileSync(path, buildTrainStep(spec).graph.toBytes());
    onnxCheck(path);
    const tr = await Trainer.create(spec);
    const batch = {
      ...encodeObservations(cfg, randomObs(2, 8)),
      actions: hostTensor('int64', [2, 48], new Array(96).fill(100)),
    };
    const r = await tr.step(batch, 1e-3);
    expect(r.skipped).toBe(false);
    expect(Math.abs(r.loss - Math.log(256))).toBeLessThan(0.5);
    expect(r.gradNorm).toBeGreaterThan(0);
    await tr.release();
  });

  it('serves as the RL TokenPolicy: camera frames resized, tokens decoded to joint targets', () => {
    const small = { ...cfg, imageSize: 32 };
    const tp = tinyVlaTokenPolicy(small);
    const frame = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 3).fill(7) };
    const feeds = tp.encode([
      {
        state: [0, 0, 0, 0, 0, 50],
        images: { front: frame, wrist: frame },
        instruction: 'pick up the red cube',
      },
    ]);
    expect(feeds.front?.shape).toEqual([1, 32, 32, 3]);
    expect(feeds.tokens?.shape).toEqual([1, cfg.maxTokens]);
    const chunk = tp.decode(new Int32Array(48).fill(255), { state: [], images: {}, instruction: '' });
    expect(chunk).toHaveLength(8);
    expect(chunk[0]?.[5]).toBeCloseTo(100 - 100 / 512, 6);
    expect(() =>
      tp.encode([{ state: [0, 0, 0, 0, 0, 0], images: { front: frame }, instruction: 'x' }]),
    ).toThrow(/"wrist" camera/);
  });

  it('the positional instruction encoder tells word orders apart; the mean one cannot', async () => {
    const orders = ['stack the red cube on the blue cube', 'stack the blue cube on the red cube'];
    const obs = randomObs(1, 5)[0]!;
    for (const text of ['mean', 'positional'] as const) {
      const c = { ...cfg, vocab: buildVocab(orders), text };
      const policy = await TinyVlaPolicy.fromParams(c, initParams(tinyVla(c), 1), 1);
      const [a, b] = [
        await policy.logits([{ ...obs, instruction: orders[0]! }]),
        await policy.logits([{ ...obs, instruction: orders[1]! }]),
      ];
      const gap = Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
      // mean: equal up to float summation order
      if (text === 'mean') expect(gap, text).toBeLessThan(1e-5);
      else expect(gap, text).toBeGreaterThan(1e-3);
      await policy.release();
    }
    expect(() => tinyVla({ ...cfg, text: 'bag' as never })).toThrow(/text must be "mean" or "positional"/);
  });

  it('reads the episode clock when asked: logits change with the step, exports keep it, a missing step is refused', async () => {
    expect(tinyVla(cfg).inputs.map((i) => i.name)).not.toContain('clock');
    const c = { ...cfg, imageSize: 16, clockInput: true };
    const params = initParams(tinyVla(c), 3);
    const px = 16 * 16 * 3;
    const obs = {
      ...randomObs(1, 6)[0]!,
      front: new Uint8Array(px).fill(90),
      wrist: new Uint8Array(px).fill(30),
    };
    const live = await TinyVlaPolicy.fromParams(c, params, 1);
    const gap = (a: Float32Array, b: Float32Array) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
    const at = (step: number) => live.logits([{ ...obs, step }]);
    expect(gap(await at(0), await at(64))).toBeGreaterThan(1e-4);
    // beyond the last bump the clock saturates
    expect(gap(await at(1000), await at(2000))).toBeLessThan(1e-6);
    await expect(live.logits([obs])).rejects.toThrow(/reads the episode clock; give the env steps/);
    const { onnxPath } = exportTinyVla(c, params, join(dir, 'clock-policy'));
    onnxCheck(onnxPath);
    const loaded = await TinyVlaPolicy.load(onnxPath, 1);
    expect(gap(await loaded.logits([{ ...obs, step: 40 }]), await at(40))).toBeLessThan(1e-5);
    await Promise.all([live.release(), loaded.release()]);
  });
});
