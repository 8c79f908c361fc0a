import { RobotError } from '../robot';
import type { ServoBus } from '../serial/servo-bus';
import type { ArmSpec } from './arm-spec';
import { type Calibration, MAX_RES } from './calibration';

export type CalibrationStep = 'idle' | 'move-to-middle' | 'record-ranges' | 'done';

export interface CalibrationPrompt {
  step: CalibrationStep;
  /** What to tell the user. */
  message: string;
}

export interface RangeSample {
  position: number;
  min: number;
  max: number;
}

/** Half-turn homing as LeRobot does it: the middle pose reads 2047 afterwards. */
const halfTurnHoming = (protocol: ArmSpec['protocol'], raw: number): number =>
  protocol === 'feetech' ? raw - Math.floor(MAX_RES / 2) : Math.floor(MAX_RES / 2) - raw;

/** Write a calibration to the motors' EEPROM (torque must be off; this turns it off). */
export async function writeCalibration(bus: ServoBus, spec: ArmSpec, cal: Calibration): Promise<void> {
  await bus.disableTorque();
  for (const [motor, c] of Object.entries(cal)) {
    if (!bus.motors[motor]) continue;
    if (spec.protocol === 'dynamixel') await bus.write('Drive_Mode', motor, c.drive_mode);
    await bus.write('Homing_Offset', motor, c.homing_offset);
    await bus.write('Min_Position_Limit', motor, c.range_min);
    await bus.write('Max_Position_Limit', motor, c.range_max);
  }
}

/** Read offsets and limits back; true when they equal `cal` (LeRobot's `is_calibrated`). */
export async function motorsMatchCalibration(bus: ServoBus, cal: Calibration): Promise<boolean> {
  for (const [motor, c] of Object.entries(cal)) {
    if (!bus.motors[motor]) return false;
    if ((await bus.read('Homing_Offset', motor)) !== c.homing_offset) return false;
    if ((await bus.read('Min_Position_Limit', motor)) !== c.range_min) return false;
    if ((await bus.read('Max_Position_Limit', motor)) !== c.range_max) return false;
  }
  return true;
}

/**
 * The calibration procedure as steps a UI wizard can drive:
 * `start()` -> move to middle -> `setMiddle()` -> `startRangeRecording()` -> `sample()` while the
 * user moves each joint end to end -> `finish()` writes the result to the motors and returns it.
 */
export class CalibrationFlow {
  step: CalibrationStep = 'idle';
  private homing: Record<string, number> = {};
  private ranges: Record<string, { min: number; max: number; position: number }> = {};

  constructor(
    private readonly bus: ServoBus,
    private readonly spec: ArmSpec,
    private readonly onFinish?: (cal: Calibration) => void | Promise<void>,
  ) {}

  private get motors(): string[] {
    return Object.keys(this.spec.motors);
  }

  private expect(step: CalibrationStep, call: string): void {
    if (this.step !== step) {
      throw new RobotError(
        `Calibration: ${call}() called during step "${this.step}"`,
        'calibration-order',
        `call it during "${step}"`,
      );
    }
  }

  async start(): Promise<CalibrationPrompt> {
    await this.bus.disableTorque();
    await this.spec.prepareCalibration(this.bus);
    this.step = 'move-to-middle';
    return {
      step: this.step,
      message: `Move the ${this.spec.robotType} so every joint is in the middle of its range, then continue.`,
    };
  }

  /** Record the middle pose: reset offsets and limits, read positions, write half-turn homing offsets. */
  async setMiddle(): Promise<Record<string, number>> {
    this.expect('move-to-middle', 'setMiddle');
    for (const m of this.motors) {
      await this.bus.write('Homing_Offset', m, 0);
      await this.bus.write('Min_Position_Limit', m, 0);
      await this.bus.write('Max_Position_Limit', m, MAX_RES);
    }
    const raw = await this.bus.syncRead('Present_Position', this.motors);
    const homing: Record<string, number> = {};
    for (const m of this.motors) {
      const offset = halfTurnHoming(this.spec.protocol, raw[m]!);
      if (this.spec.protocol === 'feetech' && Math.abs(offset) > 2047) {
        throw new RobotError(
          `Calibration: ${m} homing offset ${offset} is beyond ±2047 (the joint was far from the middle)`,
          'calibration-range',
          `move ${m} to the middle of its range and press "set middle" again`,
        );
      }
      homing[m] = offset;
      await this.bus.write('Homing_Offset', m, offset);
    }
    this.homing = homing;
    return homing;
  }

  async startRangeRecording(): Promise<CalibrationPrompt> {
    this.expect('move-to-middle', 'startRangeRecording');
    if (Object.keys(this.homing).length === 0) {
      throw new RobotError(
        'Calibration: the middle pose is not set',
        'calibration-order',
        'call setMiddle() first',
      );
    }
    this.ranges = {};
    this.step = 'record-ranges';
    const moving = this.motors.filter((m) => !this.spec.fullTurnMotors.includes(m));
    return {
      step: this.step,
      message: `Move each of ${moving.join(', ')} slowly through its entire range, then finish.`,
    };
  }

  /** Read positions once and widen the recorded ranges; call it repeatedly (e.g. at 20 Hz). */
  async sample(): Promise<Record<string, RangeSample>> {
    this.expect('record-ranges', 'sample');
    const pos = await this.bus.syncRead('Present_Position', this.motors);
    for (const m of this.motors) {
      const p = pos[m]!;
      const r = this.ranges[m];
      this.ranges[m] = r
        ? { min: Math.min(r.min, p), max: Math.max(r.max, p), position: p }
        : { min: p, max: p, position: p };
    }
    return Object.fromEntries(Object.entries(this.ranges).map(([m, r]) => [m, { ...r }]));
  }

  async finish(): Promise<Calibration> {
    this.expect('record-ranges', 'finish');
    const cal: Calibration = {};
    const unmoved: string[] = [];
    for (const m of this.motors) {
      const full = this.spec.fullTurnMotors.includes(m);
      const r = this.ranges[m];
      const min = full ? 0 : (r?.min ?? 0);
      const max = full ? MAX_RES : (r?.max ?? 0);
      if (!full && max - min < 10) unmoved.push(m);
      cal[m] = {
        id: this.spec.motors[m]!.id,
        drive_mode: this.spec.driveModes?.[m] ?? 0,
        homing_offset: this.homing[m] ?? 0,
        range_min: min,
        range_max: max,
      };
    }
    if (unmoved.length > 0) {
      throw new RobotError(
        `Calibration: ${unmoved.join(', ')} barely moved while recording ranges`,
        'calibration-range',
        'move those joints from one end of their range to the other, then finish again',
      );
    }
    await writeCalibration(this.bus, this.spec, cal);
    this.step = 'done';
    await this.onFinish?.(cal);
    return cal;
  }
}
