import type { EnvObservation, StepInfo, TaskEnv } from '../env';
import { rollForYaw, solveTopDownIk, type Vec3 } from '../kinematics';

export type { Vec3 };

/** A scripted policy: call `reset()` at the start of each episode, then `act` once per step. */
export interface Expert {
  reset(): void;
  act(env: TaskEnv, obs: EnvObservation): number[];
}

/** Move the TCP in a straight line to `to` (resolved from the scene when the step starts). */
export interface MoveStep {
  kind: 'move';
  to: (info: StepInfo) => Vec3;
  /** World yaw of the closing axis to turn to (mod `symmetry`); omitted: keep the current roll. */
  yaw?: (info: StepInfo) => number;
  symmetry?: number;
  gripper: number;
  /** TCP speed, metres per control step. */
  speed?: number;
  /** How close (m) the measured TCP must come before the next step. */
  tol?: number;
}

/** Hold the pose and set the gripper for `steps` control steps. */
export interface GripStep {
  kind: 'grip';
  gripper: number;
  steps: number;
}

export type ScriptStep = MoveStep | GripStep;

const RAD2DEG = 180 / Math.PI;
const DEFAULT_SPEED = 0.007;
const MOVE_TIMEOUT = 45;

/**
 * Follows a list of Cartesian waypoints with closed-form top-down IK: the commanded TCP advances
 * along a straight line at a bounded speed, so joint targets change smoothly every control step.
 * `plan` is called at the start of each episode with the scene as it was reset.
 */
export class ScriptedExpert implements Expert {
  private steps: ScriptStep[] = [];
  private index = 0;
  private stepAge = 0;
  private target: Vec3 | null = null;
  private cmd: Vec3 | null = null;
  private yaw: number | undefined;
  private symmetry = Math.PI / 2;
  private roll = 0;
  private gripper = 100;
  private lastQ: number[] | null = null;

  constructor(private readonly plan: (info: StepInfo) => ScriptStep[]) {}

  reset(): void {
    this.steps = [];
    this.index = 0;
    this.cmd = null;
  }

  /** All scripted steps are done (the expert now holds its last pose). */
  get done(): boolean {
    return this.cmd !== null && this.index >= this.steps.length;
  }

  act(env: TaskEnv, obs: EnvObservation): number[] {
    const info = env.info();
    if (this.cmd === null) {
      this.steps = this.plan(info);
      this.index = 0;
      this.stepAge = 0;
      this.target = null;
      this.cmd = [...info.eePos];
      this.yaw = undefined;
      this.roll = obs.state[4]! / RAD2DEG;
      this.gripper = obs.state[5]!;
      this.lastQ = obs.state.slice(0, 5).map((v) => v / RAD2DEG);
    }
    this.advance(info);
    return this.command();
  }

  private advance(info: StepInfo): void {
    const step = this.steps[this.index];
    if (!step) return;
    if (step.kind === 'grip') {
      this.gripper = step.gripper;
      if (++this.stepAge >= step.steps) this.next();
      return;
    }
    if (this.target === null) {
      this.target = step.to(info);
      this.gripper = step.gripper;
      if (step.yaw) {
        this.yaw = step.yaw(info);
        this.symmetry = step.symmetry ?? Math.PI / 2;
      } else this.yaw = undefined;
    }
    const cmd = this.cmd!;
    const d = [this.target[0] - cmd[0], this.target[1] - cmd[1], this.target[2] - cmd[2]];
    const dist = Math.hypot(d[0]!, d[1]!, d[2]!);
    const speed = step.speed ?? DEFAULT_SPEED;
    const k = dist <= speed ? 1 : speed / dist;
    for (let i = 0; i < 3; i++) cmd[i] = cmd[i]! + d[i]! * k;
    this.stepAge++;
    const err = Math.hypot(...info.eePos.map((v, i) => v - this.target![i]!));
    if ((k === 1 && err < (step.tol ?? 0.01)) || this.stepAge > MOVE_TIMEOUT + dist / speed) this.next();
  }

  private next(): void {
    this.index++;
    this.stepAge = 0;
    this.target = null;
  }

  private command(): number[] {
    const cmd = this.cmd!;
    if (this.yaw !== undefined) this.roll = rollForYaw(Math.atan2(cmd[1], cmd[0]), this.yaw, this.symmetry);
    const q = solveTopDownIk(cmd, { roll: this.roll }) ?? this.lastQ!;
    this.lastQ = q;
    return [...q.map((v) => v * RAD2DEG), this.gripper];
  }
}
