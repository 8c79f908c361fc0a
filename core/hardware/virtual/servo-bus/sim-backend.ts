import {
  type Calibration,
  type MotorCalibration,
  type NormMode,
  normalize,
  unnormalize,
} from '../../arms/calibration';
import type { Robot } from '../../robot';
import type { MotorBackend } from './motor-backend';

export interface SimMotorBackendOptions {
  /** A connected simulated arm (SimRobot), joints in SO-101 order. */
  robot: Robot;
  /**
   * The virtual arm's "true" calibration: how each motor's ticks map to the simulator's degrees
   * (gripper 0..100). A driver using the same calibration sees the simulator's joint values.
   */
  calibration: Calibration;
  protocol: 'feetech' | 'dynamixel';
  /** State refresh rate from the simulator (default 200 Hz). */
  pollHz?: number;
}

/**
 * Motor positions backed by the simulator: reads map simulator degrees -> raw ticks, goal writes
 * map ticks -> degrees and become `robot.act` targets (batched per sync write).
 */
export class SimMotorBackend implements MotorBackend {
  private readonly joints: { name: string; cal: MotorCalibration; norm: NormMode }[];
  private state: number[] = [];
  private target: number[] | null = null;
  private actQueued = false;
  private timer: NodeJS.Timeout;
  private torqueOn = new Set<number>();
  private busy = false;

  private constructor(
    private readonly opts: SimMotorBackendOptions,
    initial: number[],
  ) {
    const names = opts.robot.features.joints;
    this.joints = names.map((name) => {
      const cal = opts.calibration[name];
      if (!cal) throw new Error(`SimMotorBackend: calibration lacks joint "${name}"`);
      return { name, cal, norm: name === 'gripper' ? 'range_0_100' : 'degrees' };
    });
    this.state = initial;
    this.timer = setInterval(() => void this.poll(), 1000 / (opts.pollHz ?? 200));
  }

  static async create(opts: SimMotorBackendOptions): Promise<SimMotorBackend> {
    const obs = await opts.robot.observe();
    return new SimMotorBackend(opts, obs.state);
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      this.state = (await this.opts.robot.observe()).state;
    } catch {
      // the simulator was closed: keep the last state
    } finally {
      this.busy = false;
    }
  }

  private index(id: number): number {
    return this.joints.findIndex((j) => j.cal.id === id);
  }

  /** Present-frame ticks (what Present_Position reads with the homing offset applied) <-> actual ticks. */
  private toActual(present: number, cal: MotorCalibration): number {
    return this.opts.protocol === 'feetech' ? present + cal.homing_offset : present - cal.homing_offset;
  }

  private toPresent(actual: number, cal: MotorCalibration): number {
    return this.opts.protocol === 'feetech' ? actual - cal.homing_offset : actual + cal.homing_offset;
  }

  readPositions(ids: readonly number[]): number[] {
    return ids.map((id) => {
      const i = this.index(id);
      const j = this.joints[i];
      if (!j) return 0;
      return this.toActual(unnormalize(this.state[i] ?? 0, j.cal, j.norm), j.cal);
    });
  }

  writeGoals(goals: ReadonlyMap<number, number>): void {
    this.target ??= [...this.state];
    for (const [id, ticks] of goals) {
      const i = this.index(id);
      const j = this.joints[i];
      if (j) this.target[i] = normalize(this.toPresent(ticks, j.cal), j.cal, j.norm);
    }
    if (this.actQueued) return;
    this.actQueued = true;
    // One act per sync write: the six per-motor goal writes arrive in the same tick.
    setImmediate(() => {
      this.actQueued = false;
      if (this.target) void this.opts.robot.act(this.target).catch(() => undefined);
    });
  }

  setTorque(id: number, on: boolean): void {
    const before = this.torqueOn.size > 0;
    if (on) this.torqueOn.add(id);
    else this.torqueOn.delete(id);
    const after = this.torqueOn.size > 0;
    if (before !== after) {
      if (after) this.target = [...this.state];
      void this.opts.robot.torque(after ? 'on' : 'off').catch(() => undefined);
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
