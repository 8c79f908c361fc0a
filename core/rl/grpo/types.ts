import type { HostTensor } from '../../nn/runtime';

/** One policy decision: the model inputs it saw and the action chunk it sampled. */
export interface ChunkDecision {
  /** The model's batch inputs for this decision, batch axis removed (one row). */
  inputs: Record<string, HostTensor>;
  /** Sampled action tokens, chunk steps x action dims, step-major. */
  tokens: Int32Array;
  /** log p(token) under the behaviour policy at the rollout temperature, one per token. */
  behaviourLogp: Float32Array;
}

/** One episode played by the policy, with everything GRPO needs to learn from it. */
export interface Rollout {
  /** Rollouts with the same group id started from the same initial state. */
  groupId: string;
  task: string;
  seed: number;
  decisions: ChunkDecision[];
  /** Env steps executed before the episode finished (success, step limit, e-stop or label). */
  finishStep: number;
  /** Env step indices where a person took over; their tokens get no policy gradient. */
  interventionSteps?: number[];
  reward: 0 | 1;
  /** Number of policy updates behind the parameters that played this rollout. */
  policyVersion: number;
  /** Decoded greedily inside a sampled group (SimRolloutOptions.greedyPerGroup). */
  greedy?: true;
}

export interface RolloutGroup {
  id: string;
  task: string;
  seed: number;
  rollouts: Rollout[];
}

/** Tokens per decision = chunk x action dims. */
export interface TokenLayout {
  chunk: number;
  actionDims: number;
}
