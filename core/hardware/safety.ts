import type { JointLimit } from './robot';

/**
 * The safety layer between every command source (sliders, teleop, policy, ROS, CLI) and every
 * robot. Nothing reaches `Robot.act` without passing `SafetyLayer.filter`.
 */
export interface SafetyConfig {
  limits: JointLimit[];
  /** Largest change of a target from the previous commanded target, per joint, per step. */
  maxStepChange: number[];
}

export type SafetyVerdict = { ok: true; target: number[]; clipped: boolean } | { ok: false; reason: string };

export class SafetyLayer {
  private last: number[] | null = null;
  private stopped = false;

  constructor(readonly config: SafetyConfig) {
    if (config.limits.length !== config.maxStepChange.length) {
      throw new Error('SafetyConfig: limits and maxStepChange must have one entry per joint');
    }
  }

  get estopped(): boolean {
    return this.stopped;
  }

  /** Seed the "previous target" with the robot's measured state, so the first command is bounded too. */
  reset(current: number[]): void {
    this.last = [...current];
  }

  estop(): void {
    this.stopped = true;
  }

  /** Clear an e-stop; the next command is measured from `current`. */
  release(current: number[]): void {
    this.stopped = false;
    this.reset(current);
  }

  filter(target: readonly number[]): SafetyVerdict {
    const n = this.config.limits.length;
    if (this.stopped) return { ok: false, reason: 'e-stop is active: release it before sending commands' };
    if (target.length !== n) {
      return { ok: false, reason: `expected ${n} joint targets, got ${target.length}` };
    }
    const bad = target.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) return { ok: false, reason: `joint ${bad} target is ${target[bad]}: not a finite number` };
    let clipped = false;
    const out = target.map((v, i) => {
      const lim = this.config.limits[i]!;
      let x = Math.min(lim.max, Math.max(lim.min, v));
      const prev = this.last?.[i];
      if (prev !== undefined) {
        const d = this.config.maxStepChange[i]!;
        x = Math.min(prev + d, Math.max(prev - d, x));
      }
      if (x !== v) clipped = true;
      return x;
    });
    this.last = out;
    return { ok: true, target: out, clipped };
  }
}
