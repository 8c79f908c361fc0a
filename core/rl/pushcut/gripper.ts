/**
 * Gripper open/close transitions with hysteresis on the gripper reading (0 closed..100 open).
 * The trigger is relative: a close is a drop of `hysteresis` below the highest reading since the
 * last transition, an open a rise of `hysteresis` above the lowest. An absolute threshold would
 * miss a close that an object stops half way (a 3 cm cube holds the jaw at ~25-40), and noise
 * smaller than the hysteresis never toggles the state.
 */

export interface GripperTransition {
  to: 'open' | 'closed';
  /** Frame where the reading crossed the hysteresis band. */
  frame: number;
  /** Lowest reading until the next transition (for `closed`), i.e. where the jaw stopped. */
  settled: number;
}

/** Centred running median: removes spikes shorter than half the window, keeps steps where they are. */
export function runningMedian(xs: readonly number[], window: number): number[] {
  const half = Math.max(0, Math.floor(window / 2));
  if (half === 0) return [...xs];
  return xs.map((_, i) => {
    const w = xs.slice(Math.max(0, i - half), Math.min(xs.length, i + half + 1)).sort((a, b) => a - b);
    return w[w.length >> 1] as number;
  });
}

/**
 * `minFrames`: a change must last this many frames to count. Readings go through a running median
 * of 2 * (minFrames - 1) + 1 frames first, so a sampled policy's twitching gripper command (spikes
 * of fewer than minFrames frames) produces no open/close pairs.
 */
export function gripperTransitions(
  raw: readonly number[],
  hysteresis: number,
  minFrames = 1,
): GripperTransition[] {
  const readings = runningMedian(raw, 2 * (Math.max(1, minFrames) - 1) + 1);
  const out: GripperTransition[] = [];
  if (readings.length === 0) return out;
  let state: 'unknown' | 'open' | 'closed' = 'unknown';
  let hi = readings[0] as number;
  let lo = hi;
  for (let i = 1; i < readings.length; i++) {
    const g = readings[i] as number;
    hi = Math.max(hi, g);
    lo = Math.min(lo, g);
    if (state !== 'closed' && g < hi - hysteresis) {
      state = 'closed';
      out.push({ to: 'closed', frame: i, settled: g });
      hi = g;
      lo = g;
    } else if (state !== 'open' && g > lo + hysteresis) {
      state = 'open';
      out.push({ to: 'open', frame: i, settled: g });
      hi = g;
      lo = g;
    }
  }
  for (let t = 0; t < out.length; t++) {
    const cur = out[t] as GripperTransition;
    const end = out[t + 1]?.frame ?? readings.length;
    let extreme = readings[cur.frame] as number;
    for (let i = cur.frame; i < end; i++) {
      const g = readings[i] as number;
      extreme = cur.to === 'closed' ? Math.min(extreme, g) : Math.max(extreme, g);
    }
    cur.settled = extreme;
  }
  return out;
}
