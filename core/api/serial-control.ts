import { type CameraSource, camerasOf } from '../hardware/cameras/with-cameras';
import type { ControlLoop } from '../hardware/control-loop';
import type { Robot } from '../hardware/robot';
import {
  type CalibrationFlow,
  IdealMotorBackend,
  KochFollower,
  listPorts,
  ServoArmFollower,
  SO101Follower,
  startVirtualSo101,
  VirtualServoBus,
} from '../hardware/serial';
import { SimRobot } from '../hardware/sim/sim-robot';
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
  private virtual: {
    bus: VirtualServoBus;
    /** Ideal motors (no scene) or the simulator the virtual motors move in (with its cameras). */
    motors: IdealMotorBackend | null;
    sim: SimRobot | null;
  } | null = null;
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

  /**
   * A virtual SO-101 on a pty. With `sim` (the default) its motors move in the simulator's scene
   * and the rig gets the simulator's front and wrist cameras, as a real rig has webcams.
   */
  async startVirtual(opts: { sim?: boolean; task?: string } = {}): Promise<string> {
    await this.stopVirtual();
    if (opts.sim === false) {
      const motors = new IdealMotorBackend({ ids: MOTOR_IDS, initial: MIDDLE });
      const bus = await VirtualServoBus.start({ protocol: 'feetech', backend: motors });
      this.virtual = { bus, motors, sim: null };
      return bus.devicePath;
    }
    const sim = new SimRobot({ task: opts.task ?? 'press_button' });
    await sim.connect();
    try {
      const bus = await startVirtualSo101({ sim });
      this.virtual = { bus, motors: null, sim };
      return bus.devicePath;
    } catch (err) {
      await sim.close();
      throw err;
    }
  }

  /** The simulator's cameras when `port` is the virtual arm's (the rig's webcams); none otherwise. */
  rigCameras(port: string): CameraSource[] {
    const v = this.virtual;
    return v?.sim && v.bus.devicePath === port ? camerasOf(v.sim) : [];
  }

  /** The virtual arm's scene, when `port` is the virtual arm's and it has one. */
  virtualScene(port: string): SimRobot | null {
    const v = this.virtual;
    return v?.sim && v.bus.devicePath === port ? v.sim : null;
  }

  /** Stand in for the person during calibration: move each virtual joint through its range and back. */
  async sweepVirtual(): Promise<void> {
    const v = this.virtual;
    if (!v) throw new ApiError('failed', 'No virtual arm is running: start one first');
    if (v.sim) return this.sweepScene(v.sim);
    const motors = v.motors as IdealMotorBackend;
    const start = MOTOR_IDS.map((id) => motors.position(id));
    for (let k = 0; k <= 40; k++) {
      const phase = Math.sin((k / 40) * 2 * Math.PI);
      for (const [i, id] of MOTOR_IDS.entries()) motors.setPosition(id, Math.round(start[i]! + phase * 900));
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** The "hand" moving the simulated arm: hold it, swing every joint through its range, let go. */
  private async sweepScene(sim: SimRobot): Promise<void> {
    const start = (await sim.observe()).state;
    const limits = sim.features.limits;
    await sim.torque('on');
    const steps = 60;
    for (let k = 0; k <= steps; k++) {
      const phase = Math.sin((k / steps) * 2 * Math.PI);
      await sim.act(
        start.map((x, i) => {
          const { min, max } = limits[i]!;
          return phase >= 0 ? x + phase * (max - x) * 0.9 : x - phase * (min - x) * 0.9;
        }),
      );
      await new Promise((r) => setTimeout(r, 30));
    }
    await sim.act(start);
    await new Promise((r) => setTimeout(r, 300));
    await sim.torque('off');
  }

  async stopVirtual(): Promise<void> {
    const v = this.virtual;
    this.virtual = null;
    await v?.bus.stop();
    await v?.sim?.close();
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
