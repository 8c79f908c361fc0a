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

/**
 * `minFrames`: the reading must stay past the band for this many consecutive frames (time
 * debounce), so a sampled policy's twitching gripper command does not produce open/close pairs.
 */
export function gripperTransitions(
  readings: readonly number[],
  hysteresis: number,
  minFrames = 1,
): GripperTransition[] {
  const out: GripperTransition[] = [];
  if (readings.length === 0) return out;
  let state: 'unknown' | 'open' | 'closed' = 'unknown';
  let hi = readings[0] as number;
  let lo = hi;
  const holds = (from: number, pass: (g: number) => boolean) => {
    const to = Math.min(readings.length, from + minFrames); // an episode may end mid-debounce
    for (let k = from; k < to; k++) if (!pass(readings[k] as number)) return false;
    return true;
  };
  for (let i = 1; i < readings.length; i++) {
    const g = readings[i] as number;
    hi = Math.max(hi, g);
    lo = Math.min(lo, g);
    const closeBelow = hi - hysteresis;
    const openAbove = lo + hysteresis;
    if (state !== 'closed' && g < closeBelow && holds(i, (x) => x < closeBelow)) {
      state = 'closed';
      out.push({ to: 'closed', frame: i, settled: g });
      hi = g;
      lo = g;
    } else if (state !== 'open' && g > openAbove && holds(i, (x) => x > openAbove)) {
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
