import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crossEntropy, mse } from '../../core/nn/losses';
import { type ModelDef, rng } from '../../core/nn/model';
import { add, linear, matmul, relu } from '../../core/nn/ops';
import { hostTensor } from '../../core/nn/runtime';
import { Trainer } from '../../core/nn/trainer';

const dir = mkdtempSync(join(tmpdir(), 'nn-trainer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const linearModel: ModelDef = {
  name: 'linear',
  inputs: [{ name: 'x', shape: [3], dtype: 'float32' }],
  params: [
    { name: 'w', shape: [3, 2], init: { kind: 'uniform', bound: 0.5 } },
    { name: 'b', shape: [2], init: { kind: 'uniform', bound: 0.5 } },
  ],
  outputs: ['y'],
  forward: ({ x }, { w, b }) => ({ y: add(matmul(x!, w!), b!) }),
};

const X = [0.5, -1, 2, 1.5, 0.2, -0.3, -0.7, 0.8, 1.1, 0.3, 0.3, -2];
const T = [1, 0, -1, 2, 0.5, 0.5, 3, -1];

/** TS float64 reference: MSE gradient, global-norm clip, AdamW (PyTorch semantics). */
function referenceAdamW(
  w0: Float32Array,
  b0: Float32Array,
  steps: number,
  lr: number,
  wd: number,
  maxNorm: number,
) {
  const w = Array.from(w0);
  const b = Array.from(b0);
  const mw = new Array(6).fill(0);
  const vw = new Array(6).fill(0);
  const mb = [0, 0];
  const vb = [0, 0];
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const norms: number[] = [];
  for (let t = 1; t <= steps; t++) {
    const gw = new Array(6).fill(0);
    const gb = [0, 0];
    for (let n = 0; n < 4; n++) {
      for (let j = 0; j < 2; j++) {
        let y = b[j] as number;
        for (let i = 0; i < 3; i++) y += (X[n * 3 + i] as number) * (w[i * 2 + j] as number);
        const d = (2 * (y - (T[n * 2 + j] as number))) / 8;
        gb[j] = (gb[j] as number) + d;
        for (let i = 0; i < 3; i++) gw[i * 2 + j] += d * (X[n * 3 + i] as number);
      }
    }
    const norm = Math.sqrt([...gw, ...gb].reduce((a, g) => a + g * g, 0));
    norms.push(norm);
    const scale = Math.min(maxNorm / (norm + 1e-6), 1);
    const upd = (p: number[], g: number[], m: number[], v: number[], decay: boolean) => {
      for (let k = 0; k < p.length; k++) {
        const gk = (g[k] as number) * scale;
        m[k] = b1 * (m[k] as number) + (1 - b1) * gk;
        v[k] = b2 * (v[k] as number) + (1 - b2) * gk * gk;
        const mh = (m[k] as number) / (1 - b1 ** t);
        const vh = (v[k] as number) / (1 - b2 ** t);
        if (decay) p[k] = (p[k] as number) * (1 - lr * wd);
        p[k] = (p[k] as number) - (lr * mh) / (Math.sqrt(vh) + eps);
      }
    };
    upd(w, gw, mw, vw, true);
    upd(b, gb, mb, vb, false);
  }
  return { w, b, norms };
}

const batch = () => ({ x: hostTensor('float32', [4, 3], X), target: hostTensor('float32', [4, 2], T) });

async function linearTrainer(maxGradNorm = 0.5) {
  return Trainer.create({
    model: linearModel,
    batch: 4,
    extraInputs: [{ name: 'target', shape: [2], dtype: 'float32' }],
    loss: ({ y }, { target }) => mse(y!, target!),
    optimizer: { weightDecay: 0.1, maxGradNorm },
    seed: 3,
    threads: 1,
  });
}

describe('training step graph', () => {
  it('AdamW with clipping and decoupled weight decay matches a hand-written reference', async () => {
    const tr = await linearTrainer();
    const w0 = (tr.params.get('w') as Float32Array).slice();
    const b0 = (tr.params.get('b') as Float32Array).slice();
    const ref = referenceAdamW(w0, b0, 3, 0.05, 0.1, 0.5);
    for (let s = 0; s < 3; s++) {
      const r = await tr.step(batch(), 0.05);
      expect(r.skipped).toBe(false);
      expect(r.gradNorm).toBeCloseTo(ref.norms[s] as number, 4);
    }
    expect(ref.norms[0]).toBeGreaterThan(0.5); // clipping is active
    const w = tr.params.get('w') as Float32Array;
    const b = tr.params.get('b') as Float32Array;
    for (const [i, v] of ref.w.entries()) expect(w[i]).toBeCloseTo(v, 5);
    for (const [i, v] of ref.b.entries()) expect(b[i]).toBeCloseTo(v, 5);
    expect(tr.stepCount).toBe(3);
    await tr.release();
  });

  it('a NaN or Inf loss skips the update and leaves weights and state unchanged', async () => {
    const tr = await linearTrainer();
    await tr.step(batch(), 0.05);
    const before = new Map([...tr.params].map(([k, v]) => [k, v.slice()]));
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const b = batch();
      (b.x.data as Float32Array)[4] = bad;
      const r = await tr.step(b, 0.05);
      expect(r.skipped).toBe(true);
      for (const [k, v] of before)
        expect(Array.from(tr.params.get(k) as Float32Array)).toEqual(Array.from(v));
      expect(tr.stepCount).toBe(1);
    }
    const ok = await tr.step(batch(), 0.05);
    expect(ok.skipped).toBe(false);
    expect(tr.stepCount).toBe(2);
    await tr.release();
  });

  it('a small classification problem: loss falls', async () => {
    const mlp: ModelDef = {
      name: 'mlp',
      inputs: [{ name: 'x', shape: [2], dtype: 'float32' }],
      params: [
        { name: 'w1', shape: [2, 32], init: { kind: 'normal', std: 0.7 } },
        { name: 'b1', shape: [32], init: { kind: 'zeros' } },
        { name: 'w2', shape: [32, 3], init: { kind: 'normal', std: 0.2 } },
        { name: 'b2', shape: [3], init: { kind: 'zeros' } },
      ],
      outputs: ['logits'],
      forward: ({ x }, p) => ({ logits: linear(relu(linear(x!, p.w1!, p.b1)), p.w2!, p.b2) }),
    };
    const tr = await Trainer.create({
      model: mlp,
      batch: 96,
      extraInputs: [{ name: 'label', shape: [], dtype: 'int64' }],
      loss: ({ logits }, { label }) => crossEntropy(logits!, label!),
      threads: 1,
    });
    const rand = rng(7);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < 96; i++) {
      const c = i % 3;
      const a = (c * 2 * Math.PI) / 3;
      xs.push(Math.cos(a) + (rand() - 0.5) * 0.8, Math.sin(a) + (rand() - 0.5) * 0.8);
      ys.push(c);
    }
    const b = { x: hostTensor('float32', [96, 2], xs), label: hostTensor('int64', [96], ys) };
    const first = await tr.step(b, 0.02);
    let last = first;
    for (let s = 0; s < 150; s++) last = await tr.step(b, 0.02);
    expect(first.loss).toBeGreaterThan(0.9);
    expect(last.loss).toBeLessThan(0.25);
    const ev = await tr.evaluate(b);
    expect(ev.loss).toBeLessThan(0.25);
    await tr.release();
  });

  it('checkpoints round-trip; corrupt and mismatched checkpoints give clear errors', async () => {
    const tr = await linearTrainer();
    await tr.step(batch(), 0.05);
    const path = join(dir, 'lin.ckpt');
    tr.save(path, { note: 'test' });
    const tr2 = await linearTrainer();
    tr2.load(path);
    expect(tr2.stepCount).toBe(1);
    expect(Array.from(tr2.params.get('w') as Float32Array)).toEqual(
      Array.from(tr.params.get('w') as Float32Array),
    );
    const r1 = await tr.step(batch(), 0.05);
    const r2 = await tr2.step(batch(), 0.05);
    expect(r2.loss).toBe(r1.loss);
    expect(Array.from(tr2.params.get('b') as Float32Array)).toEqual(
      Array.from(tr.params.get('b') as Float32Array),
    );

    const bytes = readFileSync(path);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0xff;
    const corrupt = join(dir, 'corrupt.ckpt');
    writeFileSync(corrupt, bytes);
    expect(() => tr2.load(corrupt)).toThrow(/checksum mismatch/);
    writeFileSync(corrupt, bytes.subarray(0, 40));
    expect(() => tr2.load(corrupt)).toThrow(/not a usable checkpoint/);

    const other = await Trainer.create({
      model: {
        ...linearModel,
        params: [{ name: 'w', shape: [3, 4], init: { kind: 'zeros' } }],
        forward: ({ x }, { w }) => ({ y: matmul(x!, w!) }),
      },
      batch: 4,
      extraInputs: [{ name: 'target', shape: [4], dtype: 'float32' }],
      loss: ({ y }, { target }) => mse(y!, target!),
      threads: 1,
    });
    expect(() => other.load(path)).toThrow(/"param\/w" has shape \[3,2\], model needs \[3,4\]/);
    await Promise.all([tr.release(), tr2.release(), other.release()]);
  });
});
