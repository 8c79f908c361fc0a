import {
  DEFAULT_GREEDY,
  type GreedyDecoding,
  type SampledTokens,
  sampleTokens,
} from '../../core/nn/token-sampling';

/** Per-token choice over logits [positions, bins] (flattened), with log-probs at the same temperature. */
export type Sampled = SampledTokens;

/** log-softmax of one row at a temperature (written into `out`). */
export function logSoftmaxRow(
  logits: ArrayLike<number>,
  offset: number,
  n: number,
  temperature: number,
  out: Float64Array,
): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) max = Math.max(max, (logits[offset + i] as number) / temperature);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp((logits[offset + i] as number) / temperature - max);
  const lse = max + Math.log(sum);
  for (let i = 0; i < n; i++) out[i] = (logits[offset + i] as number) / temperature - lse;
}

/**
 * One token per position from logits [positions x bins]: sampled at `temperature`, or decoded
 * greedily at 0 (`greedy`: the median bin by default, or argmax; core/nn/token-sampling.ts).
 */
export function sample(
  logits: ArrayLike<number>,
  bins: number,
  temperature: number,
  rand: () => number = Math.random,
  greedy: GreedyDecoding = DEFAULT_GREEDY,
): Sampled {
  const positions = logits.length / bins;
  if (!Number.isInteger(positions))
    throw new Error(`sample: ${logits.length} logits is not a multiple of ${bins} bins`);
  return sampleTokens(logits, positions, bins, temperature, rand, greedy);
}
