import {
  add,
  cast,
  clip,
  div,
  exp,
  greater,
  less,
  logSoftmax,
  maximum,
  mul,
  neg,
  oneHot,
  or,
  reduceMean,
  reduceSum,
  sub,
  unsqueeze,
} from './ops';
import type { Tensor } from './tensor';

/** log p(token) under softmax(logits / temperature) over the last axis. logits [..., V], tokens int64 [...]. */
export function tokenLogProbs(logits: Tensor, tokens: Tensor, temperature = 1): Tensor {
  const v = logits.shape[logits.rank - 1] as number;
  if (tokens.shape.join() !== logits.shape.slice(0, -1).join()) {
    throw new Error(`tokenLogProbs: tokens ${tokens} do not match logits ${logits}`);
  }
  const scaled = temperature === 1 ? logits : div(logits, temperature);
  const lsm = logSoftmax(scaled, -1);
  const dtype = logits.dtype === 'float64' ? 'float64' : 'float32';
  return reduceSum(mul(lsm, oneHot(tokens, v, dtype)), [-1]);
}

/** Mean cross-entropy over all token positions, or over positions where mask = 1. */
export function crossEntropy(logits: Tensor, labels: Tensor, mask?: Tensor): Tensor {
  const nll = neg(tokenLogProbs(logits, labels));
  if (!mask) return reduceMean(nll);
  return div(reduceSum(mul(nll, mask)), maximum(reduceSum(mask), 1));
}

/**
 * Cross-entropy against a Gaussian over neighbouring bins centred on each label (HL-Gauss): for
 * tokens that discretise a continuous value, a near miss costs less than a far one, which makes
 * the classifier learn the value's geometry instead of 256 unrelated classes.
 */
export function gaussianBinCrossEntropy(logits: Tensor, labels: Tensor, sigmaBins: number): Tensor {
  const v = logits.shape[logits.rank - 1] as number;
  const dtype = logits.dtype === 'float64' ? 'float64' : 'float32';
  const bins = logits.graph.const(
    Array.from({ length: v }, (_, i) => i),
    [v],
    dtype,
  );
  const d = sub(bins, unsqueeze(cast(labels, dtype), [labels.rank]));
  const w = exp(mul(mul(d, d), -1 / (2 * sigmaBins * sigmaBins)));
  const target = div(w, reduceSum(w, [-1], true));
  return neg(reduceMean(reduceSum(mul(target, logSoftmax(logits, -1)), [-1])));
}

export function mse(pred: Tensor, target: Tensor): Tensor {
  const d = sub(pred, target);
  return reduceMean(mul(d, d));
}

export interface PpoInputs {
  /** [B, T, V] logits of the current policy. */
  logits: Tensor;
  /** [B, T] int64 sampled tokens. */
  actions: Tensor;
  /** [B, T] log-probs of the tokens under the behaviour policy (stored at rollout time). */
  behaviourLogp: Tensor;
  /** [B] (one per trajectory, GRPO) or [B, T] advantages. */
  advantages: Tensor;
  /** [B, T] 1 for valid tokens, 0 after the episode finished. */
  mask: Tensor;
}

export interface PpoOptions {
  clipLow?: number;
  clipHigh?: number;
  /** Sampling temperature the log-probs are recomputed at (same as the rollout's). */
  temperature?: number;
}

/**
 * PPO clipped objective with clip-higher (SimpleVLA-RL / DAPO): ratio = exp(logp - logp_behaviour),
 * per-token loss max(-A r, -A clip(r, 1 - low, 1 + high)), averaged over each trajectory's valid
 * tokens, then over trajectories. No KL term. Metrics: clip fraction, approximate KL, mean ratio.
 */
export function ppoClipLoss(
  x: PpoInputs,
  opts: PpoOptions = {},
): { loss: Tensor; metrics: Record<string, Tensor> } {
  const { clipLow = 0.2, clipHigh = 0.28, temperature = 1 } = opts;
  const logp = tokenLogProbs(x.logits, x.actions, temperature);
  const logRatio = sub(logp, x.behaviourLogp);
  const ratio = exp(logRatio);
  const adv = x.advantages.rank === 1 ? unsqueeze(x.advantages, [1]) : x.advantages;
  const pg1 = mul(neg(adv), ratio);
  const pg2 = mul(neg(adv), clip(ratio, 1 - clipLow, 1 + clipHigh));
  const perToken = maximum(pg1, pg2);
  const tokens = maximum(reduceSum(x.mask, [1]), 1);
  const perTraj = div(reduceSum(mul(perToken, x.mask), [1]), tokens);
  const loss = reduceMean(perTraj);
  const total = maximum(reduceSum(x.mask), 1);
  const clipped = cast(or(less(ratio, 1 - clipLow), greater(ratio, 1 + clipHigh)), ratio.dtype);
  const maskedMean = (t: Tensor) => div(reduceSum(mul(t, x.mask)), total);
  return {
    loss,
    metrics: {
      clip_frac: maskedMean(clipped),
      // k3 estimator of KL(behaviour || current): (r - 1) - log r.
      approx_kl: maskedMean(sub(add(ratio, -1), logRatio)),
      ratio_mean: maskedMean(ratio),
    },
  };
}
