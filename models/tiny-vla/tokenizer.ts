import type { QuantileStats, TinyVlaConfig } from './config';

export const PAD = 0;
export const UNK = 1;

export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Word vocabulary over a set of task instructions: ['<pad>', '<unk>', ...sorted words]. */
export function buildVocab(instructions: readonly string[]): string[] {
  const set = new Set<string>();
  for (const s of instructions) for (const w of words(s)) set.add(w);
  return ['<pad>', '<unk>', ...[...set].sort()];
}

/** Instruction -> token ids, padded with 0 / truncated to `maxTokens`. */
export function tokenizeInstruction(text: string, vocab: readonly string[], maxTokens: number): number[] {
  const index = new Map(vocab.map((w, i) => [w, i]));
  const ids = words(text)
    .slice(0, maxTokens)
    .map((w) => index.get(w) ?? UNK);
  while (ids.length < maxTokens) ids.push(PAD);
  return ids;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** Normalise one value to [-1, 1] with q01/q99 bounds (clipped). */
export function normalize(v: number, q01: number, q99: number): number {
  const span = q99 - q01;
  return span > 1e-8 ? clamp((2 * (v - q01)) / span - 1, -1, 1) : 0;
}

export function binCentre(bin: number, bins: number): number {
  return -1 + (2 * bin + 1) / bins;
}

/** a = 0.5 (t + 1)(q99 - q01) + q01 with t the bin centre. */
export function denormalize(t: number, q01: number, q99: number): number {
  return 0.5 * (t + 1) * (q99 - q01) + q01;
}

/** Action chunk [chunk][dim] -> flat token ids (chunk-major), one bin per value. */
export function tokenizeActions(
  chunk: readonly (readonly number[])[],
  stats: QuantileStats,
  bins: number,
): number[] {
  const out: number[] = [];
  for (const step of chunk) {
    step.forEach((a, d) => {
      const t = normalize(a, stats.q01[d] as number, stats.q99[d] as number);
      out.push(clamp(Math.floor(((t + 1) / 2) * bins), 0, bins - 1));
    });
  }
  return out;
}

/** Flat token ids -> action chunk [chunk][dim] at the bin centres. */
export function detokenizeActions(
  tokens: ArrayLike<number>,
  cfg: Pick<TinyVlaConfig, 'chunk' | 'actionDim' | 'bins' | 'actionStats'>,
): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < cfg.chunk; s++) {
    const step: number[] = [];
    for (let d = 0; d < cfg.actionDim; d++) {
      const tok = tokens[s * cfg.actionDim + d] as number;
      step.push(
        denormalize(
          binCentre(tok, cfg.bins),
          cfg.actionStats.q01[d] as number,
          cfg.actionStats.q99[d] as number,
        ),
      );
    }
    out.push(step);
  }
  return out;
}

/**
 * q01 / q99 per dimension over a list of vectors (robust bounds for normalisation), each side
 * moved outwards by `margin` times the q01..q99 span.
 */
export function quantileStats(
  vectors: readonly (readonly number[])[],
  dim: number,
  margin = 0,
): QuantileStats {
  const q01: number[] = [];
  const q99: number[] = [];
  for (let d = 0; d < dim; d++) {
    const vals = vectors.map((v) => v[d] as number).sort((a, b) => a - b);
    if (!vals.length) throw new Error('quantileStats: no data');
    const at = (q: number) =>
      vals[Math.min(vals.length - 1, Math.max(0, Math.round(q * (vals.length - 1))))] as number;
    let lo = at(0.01);
    let hi = at(0.99);
    if (hi - lo < 1e-6) {
      lo -= 1;
      hi += 1;
    }
    const pad = margin * (hi - lo);
    q01.push(lo - pad);
    q99.push(hi + pad);
  }
  return { q01, q99 };
}
