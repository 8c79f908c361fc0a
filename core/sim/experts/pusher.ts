import type { EnvObservation, StepInfo, TaskEnv } from '../env';
import { rollForYaw, solveTopDownIk, type Vec3 } from '../kinematics';
import { CUBE_HALF } from '../tasks/objects';
import type { Expert } from './follower';

/**
 * A scripted pusher for `red_cube_to_green_zone`: with the fingers closed into a paddle whose
 * closing axis points along the push (so only the front finger touches the cube, never both),
 * it lowers behind the cube and pushes it along the table into the zone, re-approaching when the
 * cube slides off the paddle. It never grasps: a different strategy from the grasping expert,
 * which is what the pushcut tracker must tell apart.
 */

const RAD2DEG = 180 / Math.PI;
const HIGH_Z = 0.08;
const PUSH_Z = 0.02;
/** TCP to the paddle's front face along the push direction (one closed pad is 10 mm thick). */
const PAD_FRONT = 0.01;
const BEHIND = CUBE_HALF + PAD_FRONT + 0.025;
const MOVE_SPEED = 0.007;
const PUSH_SPEED = 0.004;
const DONE_RADIUS = 0.012;
const MAX_LATERAL = 0.011;

type Phase = 'close' | 'approach' | 'descend' | 'push' | 'retreat' | 'done';

export class PushingExpert implements Expert {
  private phase: Phase = 'close';
  private age = 0;
  private cmd: Vec3 | null = null;
  private pushYaw = 0;
  private lastQ: number[] = [0, 0, 0, 0, 0];

  constructor(
    private readonly cube = 'red_cube',
    private readonly zone = 'green_zone',
  ) {}

  reset(): void {
    this.phase = 'close';
    this.age = 0;
    this.cmd = null;
  }

  act(env: TaskEnv, obs: EnvObservation): number[] {
    const info = env.info();
    if (!this.cmd) {
      this.cmd = [...info.eePos];
      this.lastQ = obs.state.slice(0, 5).map((v) => v / RAD2DEG);
    }
    const c = info.objects[this.cube];
    const z = info.objects[this.zone];
    if (!c || !z)
      throw new Error(`PushingExpert needs objects "${this.cube}" and "${this.zone}" in the scene`);
    const toZone = [z[0] - c[0], z[1] - c[1]];
    const dist = Math.hypot(toZone[0]!, toZone[1]!);
    const d = dist > 1e-6 ? [toZone[0]! / dist, toZone[1]! / dist] : [1, 0];
    const behind = (extra: number, height: number): Vec3 => [
      c[0] - d[0]! * (BEHIND - extra),
      c[1] - d[1]! * (BEHIND - extra),
      height,
    ];
    this.age++;
    switch (this.phase) {
      case 'close':
        if (this.age > 4) this.go('approach');
        break;
      case 'approach':
        this.pushYaw = Math.atan2(d[1]!, d[0]!);
        if (this.moveTo(behind(0, HIGH_Z), MOVE_SPEED, info)) this.go('descend');
        break;
      case 'descend':
        if (this.moveTo(behind(0, PUSH_Z), MOVE_SPEED, info)) this.go('push');
        break;
      case 'push': {
        if (dist < DONE_RADIUS) {
          this.go('done');
          break;
        }
        // Off the push line (the cube turned or slid sideways): lift and come again from behind.
        const rel = [info.eePos[0] - c[0], info.eePos[1] - c[1]];
        const lateral = Math.abs(rel[0]! * d[1]! - rel[1]! * d[0]!);
        if (lateral > MAX_LATERAL || this.age > 200) {
          this.go('retreat');
          break;
        }
        this.pushYaw = Math.atan2(d[1]!, d[0]!);
        this.moveTo(behind(BEHIND - CUBE_HALF - PAD_FRONT + 0.008, PUSH_Z), PUSH_SPEED, info);
        break;
      }
      case 'retreat':
        if (
          this.moveTo([info.eePos[0] - d[0]! * 0.01, info.eePos[1] - d[1]! * 0.01, HIGH_Z], MOVE_SPEED, info)
        )
          this.go('approach');
        break;
      case 'done':
        this.moveTo([this.cmd[0], this.cmd[1], HIGH_Z], MOVE_SPEED, info);
        break;
    }
    const roll = rollForYaw(Math.atan2(this.cmd[1], this.cmd[0]), this.pushYaw, Math.PI);
    const q = solveTopDownIk(this.cmd, { roll }) ?? this.lastQ;
    this.lastQ = q;
    return [...q.map((v) => v * RAD2DEG), 0];
  }

  private go(phase: Phase): void {
    this.phase = phase;
    this.age = 0;
  }

  /** Advance the commanded TCP toward `target`; true once it and the measured TCP are there. */
  private moveTo(target: Vec3, speed: number, info: StepInfo): boolean {
    const cmd = this.cmd!;
    const delta = target.map((v, i) => v - cmd[i]!);
    const n = Math.hypot(...delta);
    const k = n <= speed ? 1 : speed / n;
    for (let i = 0; i < 3; i++) cmd[i] = cmd[i]! + delta[i]! * k;
    const err = Math.hypot(...info.eePos.map((v, i) => v - target[i]!));
    return k === 1 && (err < 0.01 || this.age > 40);
  }
}
