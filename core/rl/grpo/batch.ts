import { groupAdvantages } from './advantages';
import { countValid, rolloutMask } from './masks';
import type { ChunkDecision, RolloutGroup, TokenLayout } from './types';

/**
 * How token losses combine into the batch loss. 'rollout-mean' (SimpleVLA-RL): mean over each
 * rollout's valid tokens, then over rollouts, so every rollout weighs the same and a token of a
 * long episode weighs less than one of a short episode. 'token-mean' (DAPO, verl's default
 * `loss_agg_mode`): mean over every valid token of the batch, so every token weighs the same.
 */
export const LOSS_AGGREGATIONS = ['rollout-mean', 'token-mean'] as const;
export type LossAggregation = (typeof LOSS_AGGREGATIONS)[number];

/** One training row: a policy decision with its GRPO targets. */
export interface TrainingRow {
  decision: ChunkDecision;
  advantage: number;
  mask: Float32Array;
  /**
   * Loss weight per token before the mini-batch scale: mask / (valid tokens of rollout x rollouts),
   * or mask / valid tokens of the batch for 'token-mean'.
   */
  weight: Float32Array;
  rollout: number;
}

export interface TrainingRows {
  rows: TrainingRow[];
  /** Rollouts with at least one valid token. */
  rollouts: number;
  validTokens: number;
}

/**
 * Flatten kept groups into decision rows: group-normalised advantages on every valid token, masks
 * (finish step, interventions), and the weights that make a sum over rows the loss `aggregation`
 * asks for.
 */
export function buildTrainingRows(
  groups: readonly RolloutGroup[],
  layout: TokenLayout,
  aggregation: LossAggregation = 'rollout-mean',
): TrainingRows {
  const per = layout.chunk * layout.actionDims;
  const pending: {
    decision: ChunkDecision;
    adv: number;
    mask: Float32Array;
    valid: number;
    rollout: number;
  }[] = [];
  let rollouts = 0;
  let validTokens = 0;
  for (const g of groups) {
    const adv = groupAdvantages(g.rollouts.map((r) => r.reward));
    g.rollouts.forEach((r, j) => {
      const mask = rolloutMask(layout, r);
      const valid = countValid(mask);
      if (valid === 0) return;
      const id = rollouts++;
      validTokens += valid;
      r.decisions.forEach((d, k) => {
        if (d.tokens.length !== per)
          throw new Error(`decision has ${d.tokens.length} tokens, the policy layout needs ${per}`);
        const m = Float32Array.from(mask.subarray(k * per, (k + 1) * per));
        if (countValid(m) > 0)
          pending.push({ decision: d, adv: adv[j] as number, mask: m, valid, rollout: id });
      });
    });
  }
  const rows = pending.map((p) => ({
    decision: p.decision,
    advantage: p.adv,
    mask: p.mask,
    weight: p.mask.map((v) => v / (aggregation === 'token-mean' ? validTokens : p.valid * rollouts)),
    rollout: p.rollout,
  }));
  return { rows, rollouts, validTokens };
}

/** Fisher-Yates shuffle of indices 0..n-1. */
export function shuffledIndices(n: number, random: () => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx;
}

/**
 * Split rows into mini-batches of `size` rows (the last padded by the caller). Weights are scaled
 * by the number of mini-batches, so each mini-batch's loss estimates the full-batch loss.
 */
export function miniBatches(
  n: number,
  size: number,
  random: () => number,
): { indices: number[]; scale: number }[] {
  const order = shuffledIndices(n, random);
  const k = Math.max(1, Math.ceil(n / size));
  return Array.from({ length: k }, (_, i) => ({ indices: order.slice(i * size, (i + 1) * size), scale: k }));
}
