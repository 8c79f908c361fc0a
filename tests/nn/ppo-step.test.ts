import { describe, expect, it } from 'vitest';
import { ppoClipLoss } from '../../core/nn/losses';
import { initParams, rng } from '../../core/nn/model';
import { hostTensor } from '../../core/nn/runtime';
import { Trainer } from '../../core/nn/trainer';
import {
  buildVocab,
  defaultTinyVlaConfig,
  encodeObservations,
  TinyVlaPolicy,
  tinyVla,
} from '../../models/tiny-vla';

describe('PPO clip-higher step on tiny-vla', () => {
  it('raises the log-probs of tokens with positive advantage and lowers those with negative', async () => {
    const cfg = defaultTinyVlaConfig({
      imageSize: 16,
      chunk: 2,
      bins: 32,
      vocab: buildVocab(['pick up the cube']),
    });
    const model = tinyVla(cfg);
    const params = initParams(model, 4);
    const r = rng(5);
    const px = 16 * 16 * 3;
    const obs = [0, 1].map(() => ({
      front: Uint8Array.from({ length: px }, () => Math.floor(r() * 256)),
      wrist: Uint8Array.from({ length: px }, () => Math.floor(r() * 256)),
      state: [0, 0, 0, 0, 0, 50],
      instruction: 'pick up the cube',
    }));
    const T = 1.6;
    const before = await TinyVlaPolicy.fromParams(cfg, params, 1);
    const act = await before.act(obs, { temperature: T, rand: rng(6) });
    const n = cfg.chunk * cfg.actionDim;
    const tokens = act.samples.flatMap((s) => Array.from(s.tokens));
    const logp = act.samples.flatMap((s) => Array.from(s.logp));
    const tr = await Trainer.create({
      model,
      params,
      batch: 2,
      extraInputs: [
        { name: 'actions', shape: [n], dtype: 'int64' },
        { name: 'behaviour_logp', shape: [n], dtype: 'float32' },
        { name: 'advantages', shape: [], dtype: 'float32' },
        { name: 'mask', shape: [n], dtype: 'float32' },
      ],
      loss: (o, e) =>
        ppoClipLoss(
          {
            logits: o.logits!,
            actions: e.actions!,
            behaviourLogp: e.behaviour_logp!,
            advantages: e.advantages!,
            mask: e.mask!,
          },
          { temperature: T },
        ),
      optimizer: { weightDecay: 0 },
      threads: 1,
    });
    const batch = {
      ...encodeObservations(cfg, obs),
      actions: hostTensor('int64', [2, n], tokens),
      behaviour_logp: hostTensor('float32', [2, n], logp),
      advantages: hostTensor('float32', [2], [1, -1]),
      mask: hostTensor('float32', [2, n], new Array(2 * n).fill(1)),
    };
    const first = await tr.step(batch, 1e-3);
    expect(first.metrics.ratio_mean).toBeCloseTo(1, 4); // on-policy: ratio starts at 1
    expect(first.metrics.clip_frac).toBe(0);
    for (let i = 0; i < 4; i++) await tr.step(batch, 1e-3);
    const after = await TinyVlaPolicy.fromParams(cfg, tr.params, 1);
    const logits = await after.logits(obs);
    // Mean log-prob of the sampled tokens at T, per trajectory, before vs after.
    const meanLogp = (row: number) => {
      let s = 0;
      for (let k = 0; k < n; k++) {
        const off = (row * n + k) * cfg.bins;
        const z = Array.from(logits.subarray(off, off + cfg.bins), (v) => v / T);
        const m = Math.max(...z);
        const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
        s += (z[tokens[row * n + k]!] as number) - lse;
      }
      return s / n;
    };
    const mean0 = logp.slice(0, n).reduce((a, v) => a + v, 0) / n;
    const mean1 = logp.slice(n).reduce((a, v) => a + v, 0) / n;
    expect(meanLogp(0)).toBeGreaterThan(mean0);
    expect(meanLogp(1)).toBeLessThan(mean1);
    await Promise.all([before.release(), after.release(), tr.release()]);
  });
});
