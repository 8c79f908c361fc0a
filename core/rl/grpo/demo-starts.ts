/**
 * A reverse curriculum from one demonstration per task, as in Salimans & Chen (2018), "Learning
 * Montezuma's Revenge from a Single Demonstration". Some of a task's groups start partway through
 * its demo (the demo's layout, the demo's first actions replayed) instead of from the beginning.
 * The start begins one `stride` before the demo's end; once the policy succeeds from it in at least
 * `advanceAt` of its recent rollouts (its last four groups), the start moves back one stride, until the policy starts from the
 * beginning. A multi-stage task then gets reward signal for its last stage (release over the bowl)
 * long before the policy can finish the whole task by chance.
 */
export interface Demo {
  /** The initial state the demo starts from (in the env pool's layouts: same `layoutSpread`). */
  seed: number;
  /** Its actions, up to the step that solved the task. */
  actions: number[][];
}

export interface DemoStartOptions {
  /** Share of a task's groups that start from the curriculum's current step (default 0.5). */
  share?: number;
  /** Steps the start moves back each time (default 8, one tiny-vla action chunk). */
  stride?: number;
  /** Success rate from the current start that moves it back (default 0.5). */
  advanceAt?: number;
  /** Rollouts from the current start before it may move (default 16, two groups of 8). */
  minRollouts?: number;
}

export interface DemoStart {
  seed: number;
  prefix: number[][];
}

interface Stage {
  start: number;
  /** The latest groups from this start: [successes, rollouts]. */
  recent: [number, number][];
}

const RECENT_GROUPS = 4;

export class DemoStartCurriculum {
  readonly share: number;
  readonly stride: number;
  readonly advanceAt: number;
  readonly minRollouts: number;
  private readonly stages = new Map<string, Stage>();

  constructor(
    private readonly demos: Readonly<Record<string, Demo>>,
    opts: DemoStartOptions = {},
  ) {
    this.share = opts.share ?? 0.5;
    this.stride = opts.stride ?? 8;
    this.advanceAt = opts.advanceAt ?? 0.5;
    this.minRollouts = opts.minRollouts ?? 16;
    if (!(this.share >= 0 && this.share <= 1))
      throw new Error(`demo-start share must be between 0 and 1, got ${this.share}`);
    if (!(Number.isInteger(this.stride) && this.stride >= 1))
      throw new Error(`demo-start stride must be a whole number of steps >= 1, got ${this.stride}`);
    if (!(this.advanceAt > 0 && this.advanceAt <= 1))
      throw new Error(`demo-start advanceAt must be in (0, 1], got ${this.advanceAt}`);
    for (const [task, demo] of Object.entries(demos)) {
      if (demo.actions.length === 0) throw new Error(`the demo of "${task}" has no actions`);
      this.stages.set(task, { start: Math.max(0, demo.actions.length - this.stride), recent: [] });
    }
  }

  /** Current start step per task with a demo (0: the curriculum is done for that task). */
  starts(): Record<string, number> {
    return Object.fromEntries([...this.stages].map(([t, s]) => [t, s.start]));
  }

  /** Where the next group of `task` starts: a demo prefix, or null for the task's own initial state. */
  pick(task: string, random: () => number): DemoStart | null {
    const stage = this.stages.get(task);
    const demo = this.demos[task];
    if (!stage || !demo || stage.start === 0 || random() >= this.share) return null;
    return { seed: demo.seed, prefix: demo.actions.slice(0, stage.start) };
  }

  /** Count a finished group that started after `prefixLength` demo steps. */
  observe(task: string, prefixLength: number, successes: number, total: number): void {
    const stage = this.stages.get(task);
    if (!stage || prefixLength !== stage.start || stage.start === 0) return;
    stage.recent = [...stage.recent, [successes, total] as [number, number]].slice(-RECENT_GROUPS);
    const won = stage.recent.reduce((a, [w]) => a + w, 0);
    const played = stage.recent.reduce((a, [, n]) => a + n, 0);
    if (played >= this.minRollouts && won / played >= this.advanceAt) {
      this.stages.set(task, { start: Math.max(0, stage.start - this.stride), recent: [] });
    }
  }

  /** For checkpoints: each task's stage, restored by `restore`. */
  snapshot(): [string, Stage][] {
    return [...this.stages];
  }

  restore(entries: unknown): void {
    if (!Array.isArray(entries)) return;
    for (const e of entries) {
      const [task, s] = e as [string, Stage];
      if (this.stages.has(task) && Number.isInteger(s?.start) && Array.isArray(s.recent))
        this.stages.set(task, { start: s.start, recent: s.recent });
    }
  }
}
