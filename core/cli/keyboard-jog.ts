import type { ControlLoop } from '../hardware/control-loop';
import type { Key } from './keys';

/** Terminal keys that nudge one joint (a terminal reports presses, not holds: each press is a step). */
export const JOG_KEYS: Record<string, { joint: number; dir: 1 | -1 }> = {
  a: { joint: 0, dir: -1 },
  d: { joint: 0, dir: 1 },
  w: { joint: 1, dir: 1 },
  s: { joint: 1, dir: -1 },
  i: { joint: 2, dir: 1 },
  k: { joint: 2, dir: -1 },
  j: { joint: 3, dir: -1 },
  l: { joint: 3, dir: 1 },
  u: { joint: 4, dir: -1 },
  o: { joint: 4, dir: 1 },
  z: { joint: 5, dir: -1 },
  x: { joint: 5, dir: 1 },
};

export const JOG_HELP =
  'jog: a/d shoulder pan · w/s shoulder lift · i/k elbow · j/l wrist flex · u/o wrist roll · z/x gripper close/open';

/**
 * Keyboard teleoperation from the terminal: each jog key moves the arm's set-point one step
 * (degrees; gripper %), through the control loop, so the safety layer bounds every move.
 */
export class KeyboardJog {
  private target: number[] | null = null;

  constructor(
    private readonly loop: ControlLoop,
    private readonly step = 5,
    private readonly gripperStep = 10,
  ) {}

  /** Handle a key; false when it is not a jog key. */
  press(key: Key, current: readonly number[]): boolean {
    const jog = JOG_KEYS[key];
    const limits = this.loop.robot.features.limits;
    if (!jog || jog.joint >= limits.length) return false;
    const t = this.target ?? [...current];
    const lim = limits[jog.joint]!;
    const isGripper = this.loop.robot.features.joints[jog.joint] === 'gripper';
    t[jog.joint] = Math.min(
      lim.max,
      Math.max(lim.min, t[jog.joint]! + jog.dir * (isGripper ? this.gripperStep : this.step)),
    );
    this.target = t;
    this.loop.setGoal(t);
    return true;
  }

  /** Forget the set-point (the arm moved by other means: a leader, a scene reset). */
  reset(): void {
    this.target = null;
  }
}
