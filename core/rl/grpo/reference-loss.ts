/**
 * Plain TypeScript reference of the GRPO objective (tests pin it by hand; the ONNX loss is checked
 * against it): PPO clipped ratio with clip-higher, no KL, averaged over each rollout's valid
 * tokens, then over rollouts.
 */

export const CLIP_LOW = 0.2;
export const CLIP_HIGH = 0.28;

export interface ClipRange {
  clipLow?: number;
  clipHigh?: number;
}

/** Per-token clipped loss max(-A r, -A clip(r, 1 - low, 1 + high)), r = exp(logp - logp_old). */
export function clippedTokenLoss(
  logp: number,
  behaviourLogp: number,
  advantage: number,
  range: ClipRange = {},
): { loss: number; ratio: number; clipped: boolean } {
  const lo = 1 - (range.clipLow ?? CLIP_LOW);
  const hi = 1 + (range.clipHigh ?? CLIP_HIGH);
  const ratio = Math.exp(logp - behaviourLogp);
  const unclipped = -advantage * ratio;
  const clippedLoss = -advantage * Math.min(hi, Math.max(lo, ratio));
  // verl's pg_clipfrac: the clipped term is the one that counts.
  return { loss: Math.max(unclipped, clippedLoss), ratio, clipped: clippedLoss > unclipped };
}

export interface RolloutTokens {
  logp: ArrayLike<number>;
  behaviourLogp: ArrayLike<number>;
  mask: ArrayLike<number>;
  advantage: number;
}

export interface ReferenceLoss {
  loss: number;
  /** Fraction of valid tokens where clipping was active. */
  clipFrac: number;
  meanAbsLogRatio: number;
  /** Rollouts that had at least one valid token (the others do not count). */
  rollouts: number;
}

export function referenceGrpoLoss(rollouts: readonly RolloutTokens[], range: ClipRange = {}): ReferenceLoss {
  let sum = 0;
  let counted = 0;
  let tokens = 0;
  let clipped = 0;
  let absLog = 0;
  for (const r of rollouts) {
    let s = 0;
    let n = 0;
    for (let i = 0; i < r.mask.length; i++) {
      if (!r.mask[i]) continue;
      const lp = r.logp[i] as number;
      const old = r.behaviourLogp[i] as number;
      const t = clippedTokenLoss(lp, old, r.advantage, range);
      s += t.loss;
      n++;
      if (t.clipped) clipped++;
      absLog += Math.abs(lp - old);
    }
    if (n === 0) continue;
    sum += s / n;
    counted++;
    tokens += n;
  }
  return {
    loss: counted ? sum / counted : 0,
    clipFrac: tokens ? clipped / tokens : 0,
    meanAbsLogRatio: tokens ? absLog / tokens : 0,
    rollouts: counted,
  };
}

/** log softmax(logits / T)[token] over one row of logits. */
export function logProbAt(
  logits: ArrayLike<number>,
  offset: number,
  vocab: number,
  token: number,
  temperature: number,
): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, (logits[offset + v] as number) / temperature);
  let z = 0;
  for (let v = 0; v < vocab; v++) z += Math.exp((logits[offset + v] as number) / temperature - max);
  return (logits[offset + token] as number) / temperature - max - Math.log(z);
}
