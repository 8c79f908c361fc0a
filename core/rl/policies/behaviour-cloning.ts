import { crossEntropy } from '../../nn/losses';
import type { ParamValues } from '../../nn/model';
import type { HostTensor } from '../../nn/runtime';
import { Trainer } from '../../nn/trainer';
import { shuffledIndices } from '../grpo/batch';
import { splitBatch, stackBatch } from '../grpo/rows';
import type { PolicyObservation, TokenPolicy } from '../policy';
import { valueToBin } from './state-mlp';

export interface DemoEpisode {
  instruction: string;
  /** Observation before each action. */
  observations: { state: number[]; images: PolicyObservation['images'] }[];
  actions: number[][];
}

export interface BehaviourCloningOptions {
  steps: number;
  batch?: number;
  lr?: number;
  seed?: number;
  actionLow: number[];
  actionHigh: number[];
  threads?: number;
}

/**
 * A quick warm start for tests and benchmarks: cross-entropy on action chunks tokenised into the
 * policy's bins (one example per demo step: the next `chunk` actions, the last one repeated).
 * The product's SFT trainer lives in core/rl/sft.
 */
export async function behaviourClone(
  policy: TokenPolicy,
  demos: DemoEpisode[],
  opts: BehaviourCloningOptions,
): Promise<ParamValues> {
  const per = policy.chunk * policy.actionDims;
  const rows: { inputs: Record<string, HostTensor>; labels: number[] }[] = [];
  for (const d of demos) {
    const obs = d.observations.map((o) => ({ ...o, instruction: d.instruction }));
    const enc = splitBatch(policy.encode(obs), obs.length);
    d.actions.forEach((_, t) => {
      const labels: number[] = [];
      for (let c = 0; c < policy.chunk; c++) {
        const a = d.actions[Math.min(t + c, d.actions.length - 1)] as number[];
        for (let k = 0; k < policy.actionDims; k++)
          labels.push(
            valueToBin(
              a[k] as number,
              policy.bins,
              opts.actionLow[k] as number,
              opts.actionHigh[k] as number,
            ),
          );
      }
      rows.push({ inputs: enc[t] as Record<string, HostTensor>, labels });
    });
  }
  const batch = opts.batch ?? 32;
  const trainer = await Trainer.create({
    model: policy.model,
    batch,
    seed: opts.seed ?? 0,
    threads: opts.threads,
    extraInputs: [{ name: 'bc_labels', shape: [per], dtype: 'int64' }],
    loss: (out, x) => {
      const logits = out[policy.logitsOutput];
      if (!logits) throw new Error(`policy has no output ${policy.logitsOutput}`);
      return crossEntropy(logits, x.bc_labels!);
    },
  });
  let s = (opts.seed ?? 0) + 1;
  const random = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  let order: number[] = [];
  for (let step = 0; step < opts.steps; step++) {
    while (order.length < batch) order = order.concat(shuffledIndices(rows.length, random));
    const pick = order.splice(0, batch).map((i) => rows[i]!);
    const feeds = stackBatch(pick.map((r) => r.inputs));
    feeds.bc_labels = {
      dtype: 'int64',
      shape: [batch, per],
      data: BigInt64Array.from(pick.flatMap((r) => r.labels.map(BigInt))),
    };
    await trainer.step(feeds, opts.lr ?? 1e-3);
  }
  const params = new Map(trainer.params);
  await trainer.release();
  return params;
}
