/** GRPO outcome advantages, as SimpleVLA-RL / verl compute them. */

export const ADVANTAGE_EPS = 1e-6;

/** Unbiased (n - 1) standard deviation, as torch.std does by default. */
export function unbiasedStd(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) throw new Error(`A group needs at least 2 rollouts to normalise rewards, got ${n}`);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const ss = values.reduce((a, v) => a + (v - mean) * (v - mean), 0);
  return Math.sqrt(ss / (n - 1));
}

/** Per-rollout advantage of one group: (r - mean) / (std + 1e-6), std unbiased. */
export function groupAdvantages(rewards: readonly number[]): number[] {
  const n = rewards.length;
  const std = unbiasedStd(rewards);
  const mean = rewards.reduce((a, b) => a + b, 0) / n;
  return rewards.map((r) => (r - mean) / (std + ADVANTAGE_EPS));
}

/** The rollout's advantage broadcast to each of its tokens; 0 where the token is masked. */
export function tokenAdvantages(advantage: number, mask: ArrayLike<number>): Float32Array {
  const out = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] ? advantage : 0;
  return out;
}
