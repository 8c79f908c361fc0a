/** Sampling action tokens from logits with a temperature, keeping each token's log-probability. */

export interface SampledTokens {
  /** [rows, tokens] */
  tokens: Int32Array;
  /** log p(token) under softmax(logits / temperature), same layout. */
  logp: Float32Array;
}

/**
 * logits: [rows x tokens x vocab] row-major. temperature 0 means greedy (argmax; logp then is the
 * log-probability at temperature 1). `random` defaults to Math.random.
 */
export function sampleTokens(
  logits: ArrayLike<number>,
  positions: number,
  vocab: number,
  temperature: number,
  random: () => number = Math.random,
): SampledTokens {
  const tokens = new Int32Array(positions);
  const logp = new Float32Array(positions);
  const t = temperature > 0 ? temperature : 1;
  const p = new Float64Array(vocab);
  for (let i = 0; i < positions; i++) {
    const off = i * vocab;
    let max = -Infinity;
    let arg = 0;
    for (let v = 0; v < vocab; v++) {
      const x = (logits[off + v] as number) / t;
      p[v] = x;
      if (x > max) {
        max = x;
        arg = v;
      }
    }
    let z = 0;
    for (let v = 0; v < vocab; v++) {
      const e = Math.exp((p[v] as number) - max);
      p[v] = e;
      z += e;
    }
    let pick = arg;
    if (temperature > 0) {
      let u = random() * z;
      pick = vocab - 1;
      for (let v = 0; v < vocab; v++) {
        u -= p[v] as number;
        if (u < 0) {
          pick = v;
          break;
        }
      }
    }
    tokens[i] = pick;
    logp[i] = Math.log((p[pick] as number) / z);
  }
  return { tokens, logp };
}
