import { grad } from '../../core/nn/autodiff';
import { Graph } from '../../core/nn/graph';
import { rng } from '../../core/nn/model';
import { cast, mul, reduceSum } from '../../core/nn/ops';
import { createSession, type HostTensor, runSession } from '../../core/nn/runtime';
import type { DType, Tensor } from '../../core/nn/tensor';

export interface GradCase {
  name: string;
  dtype: 'float32' | 'float64';
  inputs: number[][];
  build: (xs: Tensor[]) => Tensor;
  /** Value generator for input i (default uniform in [-1.5, 1.5], away from 0 by 0.05). */
  values?: (i: number, rand: () => number) => number;
}

export interface GradReport {
  worst: number;
  checked: number;
}

/**
 * Compare the graph's reverse-mode gradient of sum(f(x) * R) with central finite differences at
 * sampled elements of every input. Float32 ops are checked with the loss accumulated in float64.
 */
export async function checkGrad(c: GradCase, seed = 1): Promise<GradReport> {
  const rand = rng(seed);
  const g = new Graph(c.name);
  const xs = c.inputs.map((s, i) => g.input(`x${i}`, s, c.dtype));
  const y = c.build(xs);
  const r = Array.from({ length: Math.max(y.size, 1) }, () => rand() * 2 - 1);
  const y64 = cast(y, 'float64');
  const loss = reduceSum(mul(y64, g.const(r, y.shape, 'float64')));
  const grads = grad(loss, xs);
  g.output(loss, 'loss');
  grads.forEach((t, i) => {
    g.output(t, `g${i}`);
  });
  const session = await createSession(g.toBytes(), { threads: 1 });
  const gen =
    c.values ??
    ((_i: number, rr: () => number) => {
      const v = rr() * 3 - 1.5;
      return Math.abs(v) < 0.05 ? 0.05 + v : v;
    });
  const feeds: Record<string, HostTensor> = {};
  c.inputs.forEach((s, i) => {
    const n = s.reduce((a, b) => a * b, 1);
    const vals = Array.from({ length: n }, () => gen(i, rand));
    feeds[`x${i}`] = {
      dtype: c.dtype as DType,
      shape: s,
      data: c.dtype === 'float64' ? Float64Array.from(vals) : Float32Array.from(vals),
    };
  });
  const out = await runSession(session, feeds);
  const eps = c.dtype === 'float64' ? 1e-6 : 1e-3;
  const atol = c.dtype === 'float64' ? 1e-6 : 2e-3;
  const rtol = c.dtype === 'float64' ? 1e-5 : 1e-2;
  let worst = 0;
  let checked = 0;
  for (let i = 0; i < c.inputs.length; i++) {
    const x = feeds[`x${i}`] as HostTensor;
    const analytic = out[`g${i}`]?.data as Float64Array | Float32Array;
    const n = x.data.length;
    const picks = n <= 8 ? [...Array(n).keys()] : Array.from({ length: 8 }, () => Math.floor(rand() * n));
    for (const k of picks) {
      const data = x.data as Float64Array | Float32Array;
      const orig = data[k] as number;
      data[k] = orig + eps;
      const lp = Number((await runSession(session, feeds, ['loss'])).loss?.data[0]);
      data[k] = orig - eps;
      const lm = Number((await runSession(session, feeds, ['loss'])).loss?.data[0]);
      data[k] = orig;
      const numeric = (lp - lm) / (2 * eps);
      const a = Number(analytic[k]);
      const err = Math.abs(a - numeric) / (atol + rtol * Math.abs(numeric));
      worst = Math.max(worst, err);
      checked += 1;
      if (!(err <= 1)) {
        throw new Error(`${c.name}: d loss/d x${i}[${k}] analytic ${a} vs numeric ${numeric}`);
      }
    }
  }
  await session.release();
  return { worst, checked };
}
