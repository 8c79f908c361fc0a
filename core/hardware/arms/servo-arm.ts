import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { DynamixelBus } from '../dynamixel/bus';
import { FeetechBus } from '../feetech/bus';
import { type Observation, type Robot, RobotError, type RobotFeatures, type TorqueMode } from '../robot';
import type { BusError } from '../serial/errors';
import type { ServoBus } from '../serial/servo-bus';
import type { Teleoperator } from '../teleop/teleoperator';
import type { ArmSpec } from './arm-spec';
import {
  type Calibration,
  calibrationPath,
  loadCalibration,
  normalize,
  normalizedLimits,
  saveCalibration,
  unnormalize,
} from './calibration';
import { CalibrationFlow, motorsMatchCalibration, writeCalibration } from './calibration-flow';

export interface ServoArmOptions {
  /** Serial device, e.g. `/dev/ttyACM0` or a `/dev/serial/by-id/...` path. */
  port: string;
  /** Name of this arm; picks its calibration file (LeRobot's robot `id`). Default `default`. */
  id?: string;
  /** Use this calibration instead of the file. */
  calibration?: Calibration;
  /** Calibration file path; default LeRobot's `<calibration root>/<robots|teleoperators>/<type>/<id>.json`. */
  calibrationFile?: string;
  baudRate?: number;
  retries?: number;
  /** Added to every packet timeout (slow USB adapters, busy machines). */
  extraTimeoutMs?: number;
  /** Motor-reported faults (overload, voltage...): fail the call (default) or only emit `fault` on the arm. */
  onFault?: 'throw' | 'emit';
  /** Largest change of a goal from the present position per `act`, in units (LeRobot's max_relative_target). */
  maxRelativeTarget?: number;
  /** What `estop` does: hold the present position (default) or turn torque off. */
  estopMode?: 'hold' | 'torque-off';
  /** Turn torque off on `close` (default true, as LeRobot). */
  disableTorqueOnClose?: boolean;
}

/**
 * A servo-bus arm (SO-101, Koch, ...) described by an ArmSpec. Emits `disconnected` (BusError)
 * when its port goes away; every later call fails with that error.
 */
export class ServoArm extends EventEmitter {
  readonly bus: ServoBus;
  readonly joints: readonly string[];
  calibration: Calibration | null;
  readonly calibrationFile: string;
  protected connectedAt = 0;
  protected lost: BusError | null = null;

  constructor(
    readonly spec: ArmSpec,
    protected readonly opts: ServoArmOptions,
  ) {
    super();
    const motors = Object.fromEntries(
      Object.entries(spec.motors).map(([n, m]) => [n, { id: m.id, model: m.model }]),
    );
    const busOpts = {
      path: opts.port,
      motors,
      baudRate: opts.baudRate ?? 1_000_000,
      ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
      ...(opts.extraTimeoutMs !== undefined ? { extraTimeoutMs: opts.extraTimeoutMs } : {}),
      ...(opts.onFault ? { onFault: opts.onFault } : {}),
    };
    this.bus = spec.protocol === 'feetech' ? new FeetechBus(busOpts) : new DynamixelBus(busOpts);
    this.joints = Object.keys(spec.motors);
    this.calibrationFile =
      opts.calibrationFile ??
      calibrationPath(
        spec.role === 'follower' ? 'robots' : 'teleoperators',
        spec.calibrationType,
        opts.id ?? 'default',
      );
    this.calibration = opts.calibration ?? null;
    this.bus.on('fault', (info: unknown) => {
      if (this.listenerCount('fault') > 0) this.emit('fault', info);
    });
    this.bus.on('disconnected', (err: BusError) => {
      this.lost = err;
      // Without a port nothing more can be sent: the servos keep holding their last goal.
      if (this.listenerCount('disconnected') > 0) this.emit('disconnected', err);
    });
  }

  get isCalibrated(): boolean {
    return this.calibration !== null;
  }

  get isConnected(): boolean {
    return this.bus.isOpen;
  }

  /** Open the port, check the motors, apply the calibration and configure the motors (torque off). */
  protected async openAndConfigure(): Promise<void> {
    this.lost = null;
    await this.bus.open();
    try {
      await this.bus.verifyMotors();
      if (!this.calibration && existsSync(this.calibrationFile))
        this.calibration = loadCalibration(this.calibrationFile);
      await this.bus.disableTorque();
      if (this.calibration && !(await motorsMatchCalibration(this.bus, this.calibration))) {
        await writeCalibration(this.bus, this.spec, this.calibration);
      }
      await this.spec.configure(this.bus);
    } catch (err) {
      await this.bus.close();
      throw err;
    }
    this.connectedAt = performance.now();
  }

  /** Start the calibration wizard; `finish()` writes the motors, saves the file and makes the arm calibrated. */
  calibrate(opts: { save?: boolean } = {}): CalibrationFlow {
    this.requireConnected();
    return new CalibrationFlow(this.bus, this.spec, async (cal) => {
      this.calibration = cal;
      if (opts.save !== false) saveCalibration(this.calibrationFile, cal);
      await this.spec.configure(this.bus);
      // As LeRobot: a follower holds its pose again after calibrating; a leader stays limp.
      if (this.spec.role === 'follower') await this.bus.enableTorque();
    });
  }

  protected requireConnected(): void {
    if (this.lost) throw this.lost;
    if (!this.bus.isOpen) {
      throw new RobotError(
        `${this.spec.robotType} on ${this.opts.port} is not connected`,
        'not-connected',
        'call connect() first',
      );
    }
  }

  protected requireCalibration(): Calibration {
    this.requireConnected();
    if (!this.calibration) {
      throw new RobotError(
        `${this.spec.robotType} "${this.opts.id ?? 'default'}" is not calibrated (no ${this.calibrationFile})`,
        'uncalibrated',
        'run the calibration wizard, or pass a LeRobot calibration file',
      );
    }
    return this.calibration;
  }

  /** Present joint positions in units (degrees; gripper 0..100). */
  async readPositions(): Promise<number[]> {
    const cal = this.requireCalibration();
    const raw = await this.bus.syncRead('Present_Position', this.joints);
    return this.joints.map((j) => normalize(raw[j]!, cal[j]!, this.spec.motors[j]!.norm));
  }

  get features(): RobotFeatures {
    const cal = this.calibration;
    return {
      joints: [...this.joints],
      limits: this.joints.map((j) => {
        const m = this.spec.motors[j]!;
        if (cal?.[j]) return normalizedLimits(cal[j], m.norm);
        return m.norm === 'degrees'
          ? { min: -180, max: 180 }
          : m.norm === 'range_0_100'
            ? { min: 0, max: 100 }
            : { min: -100, max: 100 };
      }),
      cameras: [],
      robotType: this.spec.robotType,
    };
  }

  async close(): Promise<void> {
    if (this.bus.isOpen && this.opts.disableTorqueOnClose !== false) {
      await this.bus.disableTorque().catch(() => undefined);
    }
    await this.bus.close();
  }
}

/** A follower arm: the Robot the rest of the app drives. */
export class ServoArmFollower extends ServoArm implements Robot {
  get backend(): string {
    return this.spec.protocol;
  }

  async connect(): Promise<void> {
    await this.openAndConfigure();
    await this.bus.enableTorque();
  }

  async observe(): Promise<Observation> {
    const state = await this.readPositions();
    return { state, images: {}, t: (performance.now() - this.connectedAt) / 1000 };
  }

  async act(target: number[]): Promise<void> {
    const cal = this.requireCalibration();
    if (target.length !== this.joints.length) {
      throw new RobotError(`act: expected ${this.joints.length} targets, got ${target.length}`, 'bad-action');
    }
    let goal = target;
    const maxRel = this.opts.maxRelativeTarget;
    if (maxRel !== undefined) {
      const present = await this.readPositions();
      goal = target.map((v, i) => Math.min(present[i]! + maxRel, Math.max(present[i]! - maxRel, v)));
    }
    const values: Record<string, number> = {};
    this.joints.forEach((j, i) => {
      const v = goal[i]!;
      if (!Number.isFinite(v)) throw new RobotError(`act: ${j} target is ${v}`, 'bad-action');
      values[j] = unnormalize(v, cal[j]!, this.spec.motors[j]!.norm);
    });
    await this.bus.syncWrite('Goal_Position', values);
  }

  async torque(mode: TorqueMode): Promise<void> {
    this.requireConnected();
    if (mode === 'on') await this.bus.enableTorque();
    else await this.bus.disableTorque();
  }

  /** Hold where the arm is now (or torque off). Without a port the servos hold their last goal. */
  async estop(): Promise<void> {
    if (this.lost || !this.bus.isOpen) return;
    if (this.opts.estopMode === 'torque-off') {
      await this.bus.disableTorque();
      return;
    }
    const present = await this.bus.syncRead('Present_Position', this.joints);
    await this.bus.syncWrite('Goal_Position', present);
  }
}

/** A leader arm: torque off, moved by hand, read as the follower's action. */
export class ServoArmLeader extends ServoArm implements Teleoperator {
  async connect(): Promise<void> {
    await this.openAndConfigure();
    const open = this.spec.leaderGripperTrigger;
    const cal = this.calibration?.gripper;
    if (open !== undefined && cal && this.spec.motors.gripper) {
      await this.bus.enableTorque(['gripper']);
      await this.bus.write('Goal_Position', 'gripper', unnormalize(open, cal, this.spec.motors.gripper.norm));
    }
  }

  getAction(): Promise<number[]> {
    return this.readPositions();
  }
}
