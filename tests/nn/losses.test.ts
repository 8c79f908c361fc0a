import { describe, expect, it } from 'vitest';
import { Graph } from '../../core/nn/graph';
import { crossEntropy, gaussianBinCrossEntropy, ppoClipLoss, tokenLogProbs } from '../../core/nn/losses';
import { createSession, runSession } from '../../core/nn/runtime';
import { checkGrad } from './gradcheck';

// B = 2 trajectories, T = 2 tokens, V = 3 bins.
const logits = [0.5, -0.2, 1.0, 0.1, 0.3, -0.4, -1.0, 0.2, 0.6, 0.9, 0.0, -0.3];
const actions = [2, 1, 0, 2];
const behaviour = [-0.9, -1.2, -1.6, -0.6];
const advantages = [1.0, -0.5];
const mask = [1, 1, 1, 0];

function logSoftmaxRow(row: number[], t: number): number[] {
  const s = row.map((v) => v / t);
  const m = Math.max(...s);
  const lse = m + Math.log(s.reduce((a, v) => a + Math.exp(v - m), 0));
  return s.map((v) => v - lse);
}

function referencePpo(t: number, low: number, high: number): { loss: number; clipFrac: number } {
  let loss = 0;
  let clipped = 0;
  let valid = 0;
  for (let b = 0; b < 2; b++) {
    let sum = 0;
    let n = 0;
    for (let k = 0; k < 2; k++) {
      const i = b * 2 + k;
      const lp = logSoftmaxRow(logits.slice(i * 3, i * 3 + 3), t)[actions[i] as number] as number;
      const r = Math.exp(lp - (behaviour[i] as number));
      const a = advantages[b] as number;
      const tok = Math.max(-a * r, -a * Math.min(Math.max(r, 1 - low), 1 + high));
      sum += tok * (mask[i] as number);
      n += mask[i] as number;
      if (mask[i]) {
        valid += 1;
        if (r < 1 - low || r > 1 + high) clipped += 1;
      }
    }
    loss += sum / Math.max(n, 1);
  }
  return { loss: loss / 2, clipFrac: clipped / valid };
}

describe('losses', () => {
  it('PPO clip-higher loss and clip fraction match a hand computation', async () => {
    for (const temperature of [1, 1.6]) {
      const g = new Graph('ppo');
      const out = ppoClipLoss(
        {
          logits: g.const(logits, [2, 2, 3]),
          actions: g.const(actions, [2, 2], 'int64'),
          behaviourLogp: g.const(behaviour, [2, 2]),
          advantages: g.const(advantages, [2]),
          mask: g.const(mask, [2, 2]),
        },
        { temperature },
      );
      g.output(out.loss, 'loss');
      g.output(out.metrics.clip_frac as never, 'clip_frac');
      const s = await createSession(g.toBytes(), { threads: 1 });
      const res = await runSession(s, {});
      const ref = referencePpo(temperature, 0.2, 0.28);
      expect(Number(res.loss?.data[0])).toBeCloseTo(ref.loss, 5);
      expect(Number(res.clip_frac?.data[0])).toBeCloseTo(ref.clipFrac, 6);
      expect(ref.clipFrac).toBeGreaterThan(0); // the example exercises clipping
    }
  });

  it('PPO loss gradient w.r.t. logits matches finite differences', async () => {
    const r = await checkGrad({
      name: 'ppo',
      dtype: 'float64',
      inputs: [[2, 2, 3]],
      build: ([x]) => {
        const g = x!.graph;
        return ppoClipLoss(
          {
            logits: x!,
            actions: g.const(actions, [2, 2], 'int64'),
            behaviourLogp: g.const([-1.0, -1.1, -1.2, -0.9], [2, 2], 'float64'),
            advantages: g.const(advantages, [2], 'float64'),
            mask: g.const(mask, [2, 2], 'float64'),
          },
          { temperature: 1.6 },
        ).loss;
      },
    });
    expect(r.worst).toBeLessThanOrEqual(1);
  });

  it('cross-entropy and token log-probs match a hand computation', async () => {
    const g = new Graph('ce');
    const lg = g.const(logits, [4, 3]);
    const lab = g.const(actions, [4], 'int64');
    g.output(crossEntropy(lg, lab), 'ce');
    g.output(tokenLogProbs(lg, lab, 2), 'lp');
    const res = await runSession(await createSession(g.toBytes(), { threads: 1 }), {});
    let ce = 0;
    for (let i = 0; i < 4; i++) {
      ce -= logSoftmaxRow(logits.slice(i * 3, i * 3 + 3), 1)[actions[i] as number] as number;
      const lp2 = logSoftmaxRow(logits.slice(i * 3, i * 3 + 3), 2)[actions[i] as number] as number;
      expect(Number(res.lp?.data[i])).toBeCloseTo(lp2, 5);
    }
    expect(Number(res.ce?.data[0])).toBeCloseTo(ce / 4, 5);
  });

  it('Gaussian-bin cross-entropy matches a hand computation and its gradient matches finite differences', async () => {
    const sigma = 0.8;
    const g = new Graph('hlg');
    g.output(gaussianBinCrossEntropy(g.const(logits, [4, 3]), g.const(actions, [4], 'int64'), sigma), 'loss');
    const res = await runSession(await createSession(g.toBytes(), { threads: 1 }), {});
    let ref = 0;
    for (let i = 0; i < 4; i++) {
      const w = [0, 1, 2].map((b) => Math.exp(-((b - (actions[i] as number)) ** 2) / (2 * sigma * sigma)));
      const sum = w.reduce((a, v) => a + v, 0);
      const lsm = logSoftmaxRow(logits.slice(i * 3, i * 3 + 3), 1);
      ref -= w.reduce((a, v, b) => a + (v / sum) * (lsm[b] as number), 0);
    }
    expect(Number(res.loss?.data[0])).toBeCloseTo(ref / 4, 5);
    // a near miss must cost less than a far one: the loss is not one-hot cross-entropy
    const g1 = new Graph('ce');
    g1.output(crossEntropy(g1.const(logits, [4, 3]), g1.const(actions, [4], 'int64')), 'loss');
    const ce = await runSession(await createSession(g1.toBytes(), { threads: 1 }), {});
    expect(Math.abs(Number(res.loss?.data[0]) - Number(ce.loss?.data[0]))).toBeGreaterThan(1e-3);

    const r = await checkGrad({
      name: 'hlg',
      dtype: 'float64',
      inputs: [[2, 2, 5]],
      build: ([x]) => gaussianBinCrossEntropy(x!, x!.graph.const([4, 0, 2, 3], [2, 2], 'int64'), 1.5),
    });
    expect(r.worst).toBeLessThanOrEqual(1);
  });
});
