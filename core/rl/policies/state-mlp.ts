import type { ModelDef } from '../../nn/model';
import { concat, linear, relu, reshape } from '../../nn/ops';
import type { HostTensor } from '../../nn/runtime';
import type { PolicyObservation, TokenPolicy } from '../policy';

/**
 * A small state-only token policy: joint state + a one-hot of the task -> an action chunk of
 * discrete tokens. It ignores images, so it cannot see where objects are; it exists to exercise
 * and test the RL machinery quickly (and to run RL where no vision policy is available yet).
 */
export interface StateMlpConfig {
  /** Task instructions, in one-hot order (the policy recognises a task by its instruction). */
  instructions: string[];
  /** Per-joint action range [q01, q99] the bins cover (robot units). */
  actionLow: number[];
  actionHigh: number[];
  chunk?: number;
  bins?: number;
  hidden?: number;
}

export function stateMlpPolicy(cfg: StateMlpConfig): TokenPolicy {
  const dims = cfg.actionLow.length;
  const chunk = cfg.chunk ?? 8;
  const bins = cfg.bins ?? 256;
  const hidden = cfg.hidden ?? 128;
  const nTasks = cfg.instructions.length;
  const tokens = chunk * dims;
  const inDim = dims + nTasks;
  const model: ModelDef = {
    name: `state_mlp_c${chunk}_d${dims}_b${bins}_h${hidden}_t${nTasks}`,
    inputs: [
      { name: 'state', shape: [dims], dtype: 'float32' },
      { name: 'task', shape: [nTasks], dtype: 'float32' },
    ],
    params: [
      { name: 'w1', shape: [inDim, hidden], init: { kind: 'normal', std: Math.sqrt(2 / inDim) } },
      { name: 'b1', shape: [hidden], init: { kind: 'zeros' } },
      { name: 'w2', shape: [hidden, hidden], init: { kind: 'normal', std: Math.sqrt(2 / hidden) } },
      { name: 'b2', shape: [hidden], init: { kind: 'zeros' } },
      { name: 'w3', shape: [hidden, tokens * bins], init: { kind: 'normal', std: 0.01 } },
      { name: 'b3', shape: [tokens * bins], init: { kind: 'zeros' } },
    ],
    outputs: ['logits'],
    forward(x, p) {
      const h0 = concat([x.state!, x.task!], 1);
      const h1 = relu(linear(h0, p.w1!, p.b1));
      const h2 = relu(linear(h1, p.w2!, p.b2));
      const out = linear(h2, p.w3!, p.b3);
      return { logits: reshape(out, [out.shape[0] as number, tokens, bins]) };
    },
  };
  const mid = cfg.actionLow.map((lo, i) => (lo + (cfg.actionHigh[i] as number)) / 2);
  const half = cfg.actionLow.map((lo, i) => Math.max(1e-6, ((cfg.actionHigh[i] as number) - lo) / 2));
  return {
    model,
    logitsOutput: 'logits',
    chunk,
    actionDims: dims,
    bins,
    spec: { kind: 'state-mlp', config: cfg },
    encode(obs: readonly PolicyObservation[]): Record<string, HostTensor> {
      const b = obs.length;
      const state = new Float32Array(b * dims);
      const task = new Float32Array(b * nTasks);
      obs.forEach((o, i) => {
        for (let d = 0; d < dims; d++)
          state[i * dims + d] = ((o.state[d] ?? 0) - (mid[d] as number)) / (half[d] as number);
        const t = cfg.instructions.indexOf(o.instruction);
        if (t < 0)
          throw new Error(
            `policy was not built for the task "${o.instruction}"; it knows: ${cfg.instructions.join('; ')}`,
          );
        task[i * nTasks + t] = 1;
      });
      return {
        state: { dtype: 'float32', shape: [b, dims], data: state },
        task: { dtype: 'float32', shape: [b, nTasks], data: task },
      };
    },
    decode(tok: Int32Array): number[][] {
      return Array.from({ length: chunk }, (_, s) =>
        Array.from({ length: dims }, (_, d) =>
          binToValue(tok[s * dims + d] as number, bins, cfg.actionLow[d]!, cfg.actionHigh[d]!),
        ),
      );
    },
  };
}

/** SimpleVLA-RL / OpenVLA: bin centre t in [-1, 1], a = 0.5 (t + 1)(q99 - q01) + q01. */
export function binToValue(token: number, bins: number, q01: number, q99: number): number {
  const t = ((token + 0.5) / bins) * 2 - 1;
  return 0.5 * (t + 1) * (q99 - q01) + q01;
}

export function valueToBin(value: number, bins: number, q01: number, q99: number): number {
  const t = (value - q01) / Math.max(1e-9, q99 - q01);
  return Math.min(bins - 1, Math.max(0, Math.floor(t * bins)));
}
