import type { CameraFrame } from '../hardware/robot';
import type { ModelDef, ParamValues } from '../nn/model';
import type { HostTensor } from '../nn/runtime';
import type { PolicySpec } from './policy-spec';

/** What a policy sees at a decision: joint state, camera frames, the task instruction. */
export interface PolicyObservation {
  state: number[];
  images: Record<string, CameraFrame>;
  instruction: string;
  /** Env steps since the episode began (read by policies with an episode clock). */
  step?: number;
}

/**
 * A policy that maps observations to a chunk of discrete action tokens decoded in parallel
 * (OpenVLA-OFT style, as tiny-vla does). GRPO only needs: the model definition (to build the
 * training graph and to recompute log-probs), how to turn observations into model inputs, and
 * how to turn a chunk's tokens into joint targets.
 */
export interface TokenPolicy {
  readonly model: ModelDef;
  /** Model output holding logits [B, chunk*dims, bins] or [B, chunk, dims, bins]. */
  readonly logitsOutput: string;
  readonly chunk: number;
  readonly actionDims: number;
  readonly bins: number;
  /** Plain data that rebuilds this policy in another thread (buildPolicy); the built-in policies set it. */
  readonly spec?: PolicySpec;
  /** One batch of model inputs, rows in observation order. */
  encode(obs: readonly PolicyObservation[]): Record<string, HostTensor>;
  /** Joint targets (robot units) for each step of one decision's chunk. */
  decode(tokens: Int32Array, obs: PolicyObservation): number[][];
}

/** A policy together with the parameter values to run it with. */
export interface PolicyState {
  policy: TokenPolicy;
  params: ParamValues;
  /** Number of RL updates behind these parameters. */
  version: number;
}
