import { describe, expect, it } from 'vitest';
import { crossEntropy } from '../../core/nn/losses';
import { rng } from '../../core/nn/model';
import { hostTensor } from '../../core/nn/runtime';
import { Trainer } from '../../core/nn/trainer';
import { successDetector } from '../../models/success-detector';

describe('success detector', () => {
  it('learns to tell a synthetic "cube in zone" image from a failure', async () => {
    const size = 16;
    const model = successDetector({ imageSize: size, cameras: ['front'] });
    const tr = await Trainer.create({
      model,
      batch: 32,
      extraInputs: [{ name: 'label', shape: [], dtype: 'int64' }],
      loss: (o, e) => crossEntropy(o.logits!, e.label!),
      threads: 1,
    });
    const r = rng(3);
    // Success images have a bright red square in the left half; failures in the right half.
    const make = () => {
      const img = new Uint8Array(32 * size * size * 3);
      const labels: number[] = [];
      for (let b = 0; b < 32; b++) {
        const ok = b % 2;
        labels.push(ok);
        const x0 = ok ? Math.floor(r() * 4) : 9 + Math.floor(r() * 3);
        const y0 = Math.floor(r() * 12);
        for (let y = 0; y < size; y++)
          for (let x = 0; x < size; x++) {
            const i = ((b * size + y) * size + x) * 3;
            const inSq = x >= x0 && x < x0 + 4 && y >= y0 && y < y0 + 4;
            img[i] = inSq ? 230 : 90 + Math.floor(r() * 20);
            img[i + 1] = inSq ? 30 : 90;
            img[i + 2] = inSq ? 30 : 90;
          }
      }
      return {
        front: { dtype: 'uint8' as const, shape: [32, size, size, 3], data: img },
        label: hostTensor('int64', [32], labels),
      };
    };
    const first = await tr.step(make(), 3e-3);
    let last = first;
    for (let s = 0; s < 80; s++) last = await tr.step(make(), 3e-3);
    expect(first.loss).toBeGreaterThan(0.5);
    const held = await tr.evaluate(make());
    expect(held.loss).toBeLessThan(0.3);
    expect(last.skipped).toBe(false);
    await tr.release();
  });
});
