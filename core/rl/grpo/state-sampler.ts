/**
 * Which initial state each new group starts from. 'uniform' draws seeds evenly from
 * [0, seedRange), as SimpleVLA-RL does. 'informative' (for a small bank of states, LIBERO-style)
 * favours states whose recent groups disagreed: a state the policy always fails or always solves
 * yields a group that dynamic sampling drops, so its rollouts teach nothing. Each state's weight is
 * `floor + 4 p (1 - p)`, with p its success rate over recent rollouts (older groups count less);
 * states never tried have p = 1/2, and the floor keeps every state in play as the policy changes.
 * Tasks are drawn the same way in 'informative' mode (by their states' mean weight), so a task the
 * policy has solved, or cannot yet solve anywhere, gets fewer groups than one still being learned;
 * 'uniform' takes tasks in turn.
 */
export type StateSampling = 'uniform' | 'informative';

export interface StateStats {
  /** Decayed counts of successful and all rollouts from this state. */
  success: number;
  total: number;
}

/** Largest bank 'informative' sampling tracks state by state. */
export const MAX_TRACKED_STATES = 10_000;
/** Weight of past rollouts each time a state gets a new group. */
const DECAY = 0.5;
const FLOOR = 0.1;

export class StateSampler {
  private readonly stats = new Map<string, StateStats>();

  constructor(
    readonly mode: StateSampling,
    readonly seedRange: number,
  ) {
    if (!(Number.isInteger(seedRange) && seedRange >= 1))
      throw new Error(`seedRange must be a positive whole number of initial states, got ${seedRange}`);
    if (mode === 'informative' && seedRange > MAX_TRACKED_STATES) {
      throw new Error(
        `'informative' state sampling needs a bank of at most ${MAX_TRACKED_STATES} initial states (seedRange ${seedRange}); use 'uniform' or a smaller seedRange`,
      );
    }
  }

  /** Success rate estimate for a state (1/2 before any rollout). */
  rate(task: string, seed: number): number {
    const s = this.stats.get(key(task, seed));
    return s ? (s.success + 0.5) / (s.total + 1) : 0.5;
  }

  weight(task: string, seed: number): number {
    const p = this.rate(task, seed);
    return FLOOR + 4 * p * (1 - p);
  }

  pick(task: string, random: () => number): number {
    if (this.mode === 'uniform') return Math.floor(random() * this.seedRange);
    return drawWeighted(this.stateWeights(task), random);
  }

  /** The task of the next group: in turn for 'uniform', by mean state weight for 'informative'. */
  pickTask(tasks: readonly string[], turn: number, random: () => number): string {
    if (tasks.length === 0) throw new Error('pickTask needs at least one task');
    if (this.mode === 'uniform') return tasks[turn % tasks.length] as string;
    const weights = tasks.map((t) => this.stateWeights(t).reduce((a, b) => a + b, 0));
    return tasks[drawWeighted(weights, random)] as string;
  }

  private stateWeights(task: string): number[] {
    return Array.from({ length: this.seedRange }, (_, seed) => this.weight(task, seed));
  }

  /** Count a finished group: `successes` of `total` rollouts from (task, seed) succeeded. */
  observe(task: string, seed: number, successes: number, total: number): void {
    if (this.mode === 'uniform') return;
    const k = key(task, seed);
    const s = this.stats.get(k) ?? { success: 0, total: 0 };
    this.stats.set(k, { success: s.success * DECAY + successes, total: s.total * DECAY + total });
  }

  /** For checkpoints: the per-state counts, restored by `restore`. */
  snapshot(): [string, StateStats][] {
    return [...this.stats];
  }

  restore(entries: unknown): void {
    if (!Array.isArray(entries)) return;
    for (const e of entries) {
      const [k, s] = e as [string, StateStats];
      if (typeof k === 'string' && Number.isFinite(s?.success) && Number.isFinite(s?.total))
        this.stats.set(k, s);
    }
  }
}

const key = (task: string, seed: number) => `${task}#${seed}`;

function drawWeighted(weights: readonly number[], random: () => number): number {
  let r = random() * weights.reduce((a, b) => a + b, 0);
  for (const [i, w] of weights.entries()) {
    r -= w;
    if (r < 0) return i;
  }
  return weights.length - 1;
}
