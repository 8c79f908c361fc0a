/** A rate in [0, 1] as a whole percentage; '—' when there is none yet. */
export const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : `${(v * 100).toFixed(0)}%`;
