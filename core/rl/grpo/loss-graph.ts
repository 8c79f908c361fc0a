import { tokenLogProbs } from '../../nn/losses';
import type { InputSpec } from '../../nn/model';
import {
  abs,
  cast,
  clip,
  div,
  exp,
  greater,
  logSoftmax,
  maximum,
  mul,
  neg,
  reduceSum,
  reshape,
  softmax,
  sub,
  unsqueeze,
} from '../../nn/ops';
import type { Tensor } from '../../nn/tensor';
import { CLIP_HIGH, CLIP_LOW } from './reference-loss';

/** Names of the loss-only inputs of the GRPO training step (one row = one policy decision). */
export const GRPO_INPUTS = {
  tokens: 'grpo_tokens',
  behaviourLogp: 'grpo_behaviour_logp',
  advantage: 'grpo_advantage',
  mask: 'grpo_mask',
  weight: 'grpo_weight',
} as const;

export function grpoExtraInputs(tokensPerDecision: number): InputSpec[] {
  return [
    { name: GRPO_INPUTS.tokens, shape: [tokensPerDecision], dtype: 'int64' },
    { name: GRPO_INPUTS.behaviourLogp, shape: [tokensPerDecision], dtype: 'float32' },
    { name: GRPO_INPUTS.advantage, shape: [], dtype: 'float32' },
    { name: GRPO_INPUTS.mask, shape: [tokensPerDecision], dtype: 'float32' },
    { name: GRPO_INPUTS.weight, shape: [tokensPerDecision], dtype: 'float32' },
  ];
}

export interface GrpoLossOptions {
  clipLow?: number;
  clipHigh?: number;
  /** Rollout temperature; log-probs are recomputed at the same temperature. */
  temperature: number;
}

/**
 * The GRPO clipped loss over decision rows. Each token's weight (grpo/batch.ts: by default mask /
 * (valid tokens of its rollout x rollouts)) is scaled by the number of mini-batches, so summing gives
 * the per-rollout-then-across-rollouts mean of SimpleVLA-RL even when a rollout's decisions are
 * spread over several rows and mini-batches. logits: [B, T, V] or [B, chunk, dims, V].
 */
export function grpoLoss(
  logitsIn: Tensor,
  x: Record<string, Tensor>,
  opts: GrpoLossOptions,
): { loss: Tensor; metrics: Record<string, Tensor> } {
  const tokens = x[GRPO_INPUTS.tokens] as Tensor;
  const [b, t] = tokens.shape as [number, number];
  const v = logitsIn.shape[logitsIn.rank - 1] as number;
  const logits = logitsIn.rank === 3 ? logitsIn : reshape(logitsIn, [b, t, v]);
  const lo = 1 - (opts.clipLow ?? CLIP_LOW);
  const hi = 1 + (opts.clipHigh ?? CLIP_HIGH);
  const logp = tokenLogProbs(logits, tokens, opts.temperature);
  const logRatio = sub(logp, x[GRPO_INPUTS.behaviourLogp] as Tensor);
  const ratio = exp(logRatio);
  const negAdv = neg(unsqueeze(x[GRPO_INPUTS.advantage] as Tensor, [1]));
  const pg1 = mul(negAdv, ratio);
  const pg2 = mul(negAdv, clip(ratio, lo, hi));
  const loss = reduceSum(mul(maximum(pg1, pg2), x[GRPO_INPUTS.weight] as Tensor));
  const mask = x[GRPO_INPUTS.mask] as Tensor;
  const total = maximum(reduceSum(mask), 1);
  const maskedMean = (q: Tensor) => div(reduceSum(mul(q, mask)), total);
  const scaled = div(logits, opts.temperature);
  const entropy = neg(reduceSum(mul(softmax(scaled, -1), logSoftmax(scaled, -1)), [-1]));
  return {
    loss,
    metrics: {
      clip_frac: maskedMean(cast(greater(pg2, pg1), 'float32')),
      entropy: maskedMean(entropy),
      abs_log_ratio: maskedMean(abs(logRatio)),
      valid_tokens: reduceSum(mask),
    },
  };
}
