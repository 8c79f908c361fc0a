import type { Rollout, TokenLayout } from './types';

/**
 * Valid-token mask of a rollout over all its decisions' tokens (step-major, action dims inner):
 * token i is valid when i < finishStep x actionDims (SimpleVLA-RL), and its env step was not taken
 * over by a person (intervention steps get no policy gradient).
 */
export function tokenMask(
  layout: TokenLayout,
  decisions: number,
  finishStep: number,
  interventionSteps: readonly number[] = [],
): Uint8Array {
  const perDecision = layout.chunk * layout.actionDims;
  const total = decisions * perDecision;
  const mask = new Uint8Array(total);
  const limit = Math.min(total, Math.max(0, finishStep) * layout.actionDims);
  mask.fill(1, 0, limit);
  for (const step of interventionSteps) {
    if (step < 0) continue;
    const from = step * layout.actionDims;
    if (from >= total) continue;
    mask.fill(0, from, Math.min(total, from + layout.actionDims));
  }
  return mask;
}

export function rolloutMask(layout: TokenLayout, r: Rollout): Uint8Array {
  return tokenMask(layout, r.decisions.length, r.finishStep, r.interventionSteps);
}

export function countValid(mask: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  return n;
}
