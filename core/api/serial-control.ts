import type { ControlLoop } from '../hardware/control-loop';
import type { Robot } from '../hardware/robot';
import {
  type CalibrationFlow,
  IdealMotorBackend,
  KochFollower,
  listPorts,
  ServoArmFollower,
  SO101Follower,
  VirtualServoBus,
} from '../hardware/serial';
import type { EventPayload } from './contract';
import { ApiError } from './errors';

type CalibrationEvent = EventPayload<'calibration'>;

const MOTOR_IDS = [1, 2, 3, 4, 5, 6];
const MIDDLE = 2047;

/**
 * Serial servo-bus arms in the app: the follower on a device path, a virtual SO-101 on a pty for
 * trying everything without hardware, and LeRobot's calibration as a guided flow.
 */
export class SerialControl {
  private virtual: { bus: VirtualServoBus; motors: IdealMotorBackend } | null = null;
  private flow: { flow: CalibrationFlow; loop: ControlLoop | null; timer: NodeJS.Timeout | null } | null =
    null;

  constructor(private readonly emit: (e: CalibrationEvent) => void) {}

  /** The follower arm on a serial port; its calibration is LeRobot's file for `id`. */
  static createFollower(args: {
    backend: 'feetech' | 'dynamixel';
    port: string;
    arm: string;
    id: string;
  }): Robot {
    const opts = { port: args.port, id: args.id };
    if (args.backend === 'dynamixel' || args.arm === 'koch') return new KochFollower(opts);
    return new SO101Follower(opts);
  }

  async ports(): Promise<{ ports: { path: string; description: string }[]; note: string | null }> {
    const r = await listPorts();
    const ports = r.ports.map((p) => ({
      path: p.byId ?? p.path,
      description: [p.manufacturer, p.serialNumber, p.byId ? p.path : ''].filter(Boolean).join(' · '),
    }));
    if (this.virtual)
      ports.unshift({ path: this.virtual.bus.devicePath, description: 'virtual SO-101 (this app)' });
    return { ports, note: r.warning ?? null };
  }

  async startVirtual(): Promise<string> {
    await this.stopVirtual();
    const motors = new IdealMotorBackend({ ids: MOTOR_IDS, initial: MIDDLE });
    const bus = await VirtualServoBus.start({ protocol: 'feetech', backend: motors });
    this.virtual = { bus, motors };
    return bus.devicePath;
  }

  /** Stand in for the person during calibration: move each virtual joint through its range and back. */
  async sweepVirtual(): Promise<void> {
    const v = this.virtual;
    if (!v) throw new ApiError('failed', 'No virtual arm is running: start one first');
    const start = MOTOR_IDS.map((id) => v.motors.position(id));
    for (let k = 0; k <= 40; k++) {
      const phase = Math.sin((k / 40) * 2 * Math.PI);
      for (const [i, id] of MOTOR_IDS.entries())
        v.motors.setPosition(id, Math.round(start[i]! + phase * 900));
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stopVirtual(): Promise<void> {
    const v = this.virtual;
    this.virtual = null;
    await v?.bus.stop();
  }

  /** Begin calibrating the connected arm; the control loop pauses until it finishes. */
  async startCalibration(robot: Robot | null, loop: ControlLoop | null): Promise<CalibrationEvent> {
    if (!(robot instanceof ServoArmFollower)) {
      throw new ApiError('failed', 'Calibration is for servo-bus arms: connect an SO-101 or Koch arm first');
    }
    await this.cancelCalibration();
    loop?.stop();
    const flow = robot.calibrate();
    this.flow = { flow, loop, timer: null };
    const prompt = await flow.start();
    return this.publish({ step: prompt.step, message: prompt.message, ranges: {} });
  }

  async setMiddle(): Promise<CalibrationEvent> {
    const f = this.requireFlow();
    await f.flow.setMiddle();
    const prompt = await f.flow.startRangeRecording();
    let ranges: CalibrationEvent['ranges'] = {};
    f.timer = setInterval(() => {
      f.flow
        .sample()
        .then((r) => {
          ranges = r;
          this.emit({ step: 'record-ranges', message: prompt.message, ranges });
        })
        .catch(() => undefined);
    }, 50);
    return this.publish({ step: prompt.step, message: prompt.message, ranges });
  }

  /** Write the calibration to the motors and file; resume control from the new state. */
  async finish(robot: Robot): Promise<CalibrationEvent> {
    const f = this.requireFlow();
    if (f.timer) clearInterval(f.timer);
    f.timer = null;
    await f.flow.sample();
    await f.flow.finish();
    this.flow = null;
    const obs = await robot.observe();
    f.loop?.start(obs.state);
    return this.publish({
      step: 'done',
      message: 'Calibrated: the arm holds its pose and follows commands',
      ranges: {},
    });
  }

  async cancelCalibration(): Promise<void> {
    const f = this.flow;
    this.flow = null;
    if (f?.timer) clearInterval(f.timer);
  }

  get calibrating(): boolean {
    return this.flow !== null;
  }

  async close(): Promise<void> {
    await this.cancelCalibration();
    await this.stopVirtual();
  }

  private requireFlow() {
    if (!this.flow) throw new ApiError('failed', 'Calibration has not started: press Calibrate first');
    return this.flow;
  }

  private publish(e: CalibrationEvent): CalibrationEvent {
    this.emit(e);
    return e;
  }
}
