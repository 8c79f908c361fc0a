/** Per-token sampling over logits [positions, bins] (flattened), with log-probs at the same temperature. */
export interface Sampled {
  tokens: Int32Array;
  /** log p(token) under softmax(logits / temperature). */
  logp: Float32Array;
}

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
 * Sample one token per position from softmax(logits / temperature); temperature 0 means greedy
 * (argmax, log-probs then at temperature 1). `rand` returns uniform [0, 1).
 */
export function sample(
  logits: ArrayLike<number>,
  bins: number,
  temperature: number,
  rand: () => number = Math.random,
): Sampled {
  const positions = logits.length / bins;
  if (!Number.isInteger(positions))
    throw new Error(`sample: ${logits.length} logits is not a multiple of ${bins} bins`);
  const tokens = new Int32Array(positions);
  const logp = new Float32Array(positions);
  const e = new Float64Array(bins);
  const invT = 1 / (temperature > 0 ? temperature : 1);
  for (let p = 0; p < positions; p++) {
    const off = p * bins;
    let max = Number.NEGATIVE_INFINITY;
    let arg = 0;
    for (let i = 0; i < bins; i++) {
      const z = (logits[off + i] as number) * invT;
      if (z > max) {
        max = z;
        arg = i;
      }
    }
    // One exp per bin: e_i = exp(z_i - max); sum -> log-normaliser; inverse-CDF on the same e_i.
    let sum = 0;
    for (let i = 0; i < bins; i++) {
      const v = Math.exp((logits[off + i] as number) * invT - max);
      e[i] = v;
      sum += v;
    }
    let pick = arg;
    if (temperature > 0) {
      let u = rand() * sum;
      pick = bins - 1;
      for (let i = 0; i < bins; i++) {
        u -= e[i] as number;
        if (u < 0) {
          pick = i;
          break;
        }
      }
    }
    tokens[p] = pick;
    logp[p] = (logits[off + pick] as number) * invT - max - Math.log(sum);
  }
  return { tokens, logp };
}

export function greedy(logits: ArrayLike<number>, bins: number): Sampled {
  return sample(logits, bins, 0);
}
