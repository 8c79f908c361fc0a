import type { HostTensor } from '../../nn/runtime';
import type { PolicyState } from '../policy';
import type { PolicyRunner } from '../policy-runner';
import { shuffledIndices, type TrainingRow } from './batch';
import { logProbAt } from './reference-loss';
import { stackBatch } from './rows';

/** One demonstrated decision: the policy's model inputs (one row) and the demo's action tokens. */
export interface AnchorDecision {
  inputs: Record<string, HostTensor>;
  tokens: Int32Array;
}

export interface DemoAnchorOptions {
  /** The demo term's share of the loss, relative to the rollouts' (whose token weights sum to 1). */
  weight: number;
  /** Demo decisions drawn per update (default DEMO_ANCHOR_ROWS). */
  rows?: number;
}

export const DEMO_ANCHOR_ROWS = 32;

/**
 * A behaviour-cloning anchor inside the GRPO update: demo decisions ride along as rows with
 * advantage 1 and behaviour log-probs taken from the current policy, so their ratio starts at 1.
 * The clipped objective's gradient there is `weight` times the demos' token cross-entropy
 * gradient, and clip-higher bounds how far one update pushes them. It keeps what SFT taught (the
 * grasp of the multi-stage tasks) while RL explores. Masks are 0, so the update's metrics (clip
 * fraction, entropy, |log-ratio|) stay those of the rollouts.
 */
export async function demoAnchorRows(
  runner: PolicyRunner,
  state: PolicyState,
  demos: readonly AnchorDecision[],
  opts: DemoAnchorOptions & { temperature: number },
  random: () => number,
): Promise<TrainingRow[]> {
  if (demos.length === 0 || opts.weight <= 0) return [];
  const picked = shuffledIndices(demos.length, random)
    .slice(0, opts.rows ?? DEMO_ANCHOR_ROWS)
    .map((i) => demos[i] as AnchorDecision);
  const { policy } = state;
  const per = policy.chunk * policy.actionDims;
  const logits = await runner.logits(state, stackBatch(picked.map((d) => d.inputs)), picked.length);
  const weight = opts.weight / (per * picked.length);
  return picked.map((d, i) => {
    if (d.tokens.length !== per)
      throw new Error(`demo decision has ${d.tokens.length} tokens, the policy layout needs ${per}`);
    const rowLogits = logits.subarray(i * per * policy.bins, (i + 1) * per * policy.bins);
    return {
      decision: {
        inputs: d.inputs,
        tokens: d.tokens,
        behaviourLogp: Float32Array.from(d.tokens, (t, j) =>
          logProbAt(rowLogits, j * policy.bins, policy.bins, t, opts.temperature),
        ),
      },
      advantage: 1,
      mask: new Float32Array(per),
      weight: new Float32Array(per).fill(weight),
      rollout: -1,
    };
  });
}
