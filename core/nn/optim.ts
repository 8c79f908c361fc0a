import { add, and, div, isInf, isNan, minimum, mul, not, or, pow, sqrt, sub, where } from './ops/elementwise';
import { reduceSum } from './ops/reduce';
import { lift } from './ops/util';
import type { Tensor } from './tensor';

export interface AdamWConfig {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Global gradient-norm clip; 0 disables. */
  maxGradNorm?: number;
}

export const ADAMW_DEFAULTS: Required<AdamWConfig> = {
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0.01,
  maxGradNorm: 1.0,
};

export interface AdamWSlot {
  param: Tensor;
  grad: Tensor;
  m: Tensor;
  v: Tensor;
  decay: boolean;
}

export interface AdamWResult {
  params: Tensor[];
  m: Tensor[];
  v: Tensor[];
  step: Tensor;
  gradNorm: Tensor;
  skipped: Tensor;
}

/**
 * AdamW inside the graph (PyTorch semantics): global-norm clipping, bias correction, decoupled
 * weight decay `p <- p (1 - lr wd)`. If the loss or the gradient norm is NaN/Inf, every output is
 * the old value (Where on a guard flag) and `skipped` is true.
 */
export function adamwUpdate(
  slots: AdamWSlot[],
  loss: Tensor,
  step: Tensor,
  lr: Tensor,
  cfgIn: AdamWConfig = {},
): AdamWResult {
  const cfg = { ...ADAMW_DEFAULTS, ...cfgIn };
  const first = slots[0];
  if (!first) throw new Error('adamwUpdate: no parameters to update');
  let sq: Tensor | undefined;
  for (const s of slots) {
    const part = reduceSum(mul(s.grad, s.grad));
    sq = sq ? add(sq, part) : part;
  }
  const gradNorm = sqrt(sq as Tensor);
  const finite = (t: Tensor) => not(or(isNan(t), isInf(t)));
  const ok = and(finite(loss), finite(gradNorm));
  const scale =
    cfg.maxGradNorm > 0 ? minimum(div(lift(gradNorm, cfg.maxGradNorm), add(gradNorm, 1e-6)), 1) : undefined;
  const t = add(step, 1);
  const bc1 = sub(lift(step, 1), pow(step.graph.const(cfg.beta1, [], step.dtype), t));
  const bc2 = sub(lift(step, 1), pow(step.graph.const(cfg.beta2, [], step.dtype), t));
  const out: AdamWResult = { params: [], m: [], v: [], step: where(ok, t, step), gradNorm, skipped: not(ok) };
  for (const s of slots) {
    const g = scale ? mul(s.grad, scale) : s.grad;
    const m = add(mul(s.m, cfg.beta1), mul(g, 1 - cfg.beta1));
    const v = add(mul(s.v, cfg.beta2), mul(mul(g, g), 1 - cfg.beta2));
    const mhat = div(m, bc1);
    const vhat = div(v, bc2);
    const decayed =
      s.decay && cfg.weightDecay > 0 ? mul(s.param, sub(lift(lr, 1), mul(lr, cfg.weightDecay))) : s.param;
    const p = sub(decayed, mul(lr, div(mhat, add(sqrt(vhat), cfg.eps))));
    out.params.push(where(ok, p, s.param));
    out.m.push(where(ok, m, s.m));
    out.v.push(where(ok, v, s.v));
  }
  return out;
}
