import { So101Kinematics, type ToolPose } from '../arms/so101-kinematics';
import type { Robot } from '../robot';
import type { SafetyLayer } from '../safety';
import {
  EE_KEYS,
  ESTOP_BUTTON,
  ESTOP_KEY,
  gamepadAxes,
  type InputEvent,
  JOINT_KEYS,
  type TeleopSpace,
} from './input-events';
import { TeleopLoop } from './teleop-loop';

export interface InputTeleopOptions {
  robot: Robot;
  space?: TeleopSpace;
  safety?: SafetyLayer;
  hz?: number;
  /** Joint space speed at full deflection: deg/s for arm joints (default 45), %/s for the gripper (default 80). */
  jointSpeed?: number;
  gripperSpeed?: number;
  /** EE space: linear speed m/s (default 0.08), angular rad/s (default 1). */
  linearSpeed?: number;
  angularSpeed?: number;
  kinematics?: So101Kinematics;
}

/**
 * Keyboard / gamepad teleoperation in joint space or end-effector space (SO-101 inverse
 * kinematics). Feed it `InputEvent`s; Space (or gamepad Back) is the e-stop. Events as TeleopLoop,
 * plus `unreachable` when an EE target is outside the arm's reach or joint limits (the arm stays).
 */
export class InputTeleop {
  readonly loop: TeleopLoop;
  space: TeleopSpace;
  private held = new Map<string, boolean>();
  private pad: number[] = [0, 0, 0, 0, 0, 0];
  private target: number[] | null = null;
  private pose: ToolPose | null = null;
  private readonly kin: So101Kinematics;

  constructor(private readonly opts: InputTeleopOptions) {
    this.space = opts.space ?? 'joint';
    this.kin = opts.kinematics ?? new So101Kinematics();
    this.loop = new TeleopLoop({
      robot: opts.robot,
      source: (dt) => this.step(dt),
      ...(opts.safety ? { safety: opts.safety } : {}),
      ...(opts.hz ? { hz: opts.hz } : {}),
    });
  }

  async start(): Promise<void> {
    const obs = await this.opts.robot.observe();
    this.target = [...obs.state];
    this.pose = this.kin.forward(obs.state);
    await this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Apply one input event from the UI. */
  async handle(ev: InputEvent): Promise<void> {
    switch (ev.type) {
      case 'key':
        if (ev.code === ESTOP_KEY && ev.down) return this.loop.estop();
        this.held.set(ev.code, ev.down);
        return;
      case 'gamepad':
        if (ev.buttons[ESTOP_BUTTON]) return this.loop.estop();
        this.pad = gamepadAxes(this.space, ev.axes, ev.buttons);
        return;
      case 'estop':
        return this.loop.estop();
      case 'release': {
        await this.loop.release();
        const obs = await this.opts.robot.observe();
        this.target = [...obs.state];
        this.pose = this.kin.forward(obs.state);
        return;
      }
      case 'mode':
        this.space = ev.mode;
        this.pad = [0, 0, 0, 0, 0, 0];
        if (this.target) this.pose = this.kin.forward(this.target);
        return;
      case 'clear':
        this.held.clear();
        this.pad = [0, 0, 0, 0, 0, 0];
        return;
    }
  }

  /** Command axes in [-1, 1] from held keys plus the gamepad. */
  private axes(): number[] {
    const a = [...this.pad];
    const map = this.space === 'joint' ? JOINT_KEYS : EE_KEYS;
    for (const [code, down] of this.held) {
      const m = map[code];
      if (down && m) a[m[0]] = Math.max(-1, Math.min(1, a[m[0]]! + m[1]));
    }
    return a;
  }

  /** Integrate the held inputs over dt and return the next joint target. */
  step(dt: number): number[] | null {
    if (!this.target) return null;
    const a = this.axes();
    const jointSpeed = this.opts.jointSpeed ?? 45;
    const gripperSpeed = this.opts.gripperSpeed ?? 80;
    const next = [...this.target];
    next[5] = Math.min(100, Math.max(0, next[5]! + a[5]! * gripperSpeed * dt));
    if (this.space === 'joint') {
      for (let i = 0; i < 5; i++) next[i] = next[i]! + a[i]! * jointSpeed * dt;
    } else if (this.pose) {
      const v = this.opts.linearSpeed ?? 0.08;
      const w = this.opts.angularSpeed ?? 1;
      const pose: ToolPose = {
        x: this.pose.x + a[0]! * v * dt,
        y: this.pose.y + a[1]! * v * dt,
        z: this.pose.z + a[2]! * v * dt,
        pitch: this.pose.pitch + a[3]! * w * dt,
        roll: this.pose.roll + a[4]! * w * dt,
      };
      const q = this.kin.inverse(pose);
      if (q) {
        this.pose = pose;
        for (let i = 0; i < 5; i++) next[i] = q[i]!;
      } else if (a.slice(0, 5).some((x) => x !== 0)) {
        this.loop.emit('unreachable', pose);
      }
    }
    // Keep the integrated target inside the robot's limits so releasing a key stops at the edge.
    const lim = this.opts.robot.features.limits;
    this.target = next.map((x, i) => Math.min(lim[i]!.max, Math.max(lim[i]!.min, x)));
    return this.target;
  }
}
