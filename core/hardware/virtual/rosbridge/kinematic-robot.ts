import {
  type CameraFrame,
  type JointLimit,
  type Observation,
  type Robot,
  RobotError,
  type RobotFeatures,
  SO101_JOINTS,
  type TorqueMode,
} from '../../robot';

export interface KinematicRobotOptions {
  /** First-order time constant of each joint, seconds. Default 0.08. */
  timeConstant?: number;
  /** Speed limit, robot units per second. Default 360 (deg/s; gripper %/s). */
  maxSpeed?: number;
  /** Camera size; one camera named `front`. Default 32x24. Empty list: no camera. */
  cameras?: { name: string; width: number; height: number }[];
  /** Start pose (robot units). Default all zeros except the gripper half open. */
  home?: number[];
}

/** SO-101 joint limits in LeRobot units (the URDF limits in degrees; gripper 0..100). */
export const SO101_LIMITS: JointLimit[] = [
  { min: -110, max: 110 },
  { min: -100, max: 100 },
  { min: -96.8, max: 96.8 },
  { min: -95, max: 95 },
  { min: -160, max: 160 },
  { min: 0, max: 100 },
];

/**
 * A small SO-101-shaped robot with first-order joint dynamics and a synthetic camera, integrated
 * on each observe(). It is a complete Robot (not a mock): targets are tracked over time, torque off
 * freezes the arm, e-stop holds the current pose, and the camera image depends on the joints.
 */
export class KinematicRobot implements Robot {
  readonly backend = 'kinematic';
  readonly features: RobotFeatures;
  private state: number[];
  private target: number[];
  private readonly home: number[];
  private last = 0;
  private t0 = 0;
  private connected = false;
  private torqueOn = true;

  constructor(readonly options: KinematicRobotOptions = {}) {
    this.features = {
      joints: [...SO101_JOINTS],
      limits: SO101_LIMITS.map((l) => ({ ...l })),
      cameras: options.cameras ?? [{ name: 'front', width: 32, height: 24 }],
      robotType: 'so101_follower',
    };
    this.home = options.home ?? [0, 0, 0, 0, 0, 50];
    this.state = [...this.home];
    this.target = [...this.home];
  }

  async connect(): Promise<void> {
    this.connected = true;
    this.t0 = performance.now();
    this.last = this.t0;
  }

  private require(): void {
    if (!this.connected)
      throw new RobotError('kinematic robot is not connected', 'not_connected', 'call connect() first');
  }

  private integrate(): void {
    const now = performance.now();
    const dt = Math.min(0.5, (now - this.last) / 1000);
    this.last = now;
    if (!this.torqueOn) return;
    const tau = this.options.timeConstant ?? 0.08;
    const vmax = this.options.maxSpeed ?? 360;
    const k = 1 - Math.exp(-dt / tau);
    this.state = this.state.map((x, i) => {
      const step = (this.target[i]! - x) * k;
      return x + Math.max(-vmax * dt, Math.min(vmax * dt, step));
    });
  }

  async observe(): Promise<Observation> {
    this.require();
    this.integrate();
    const images: Record<string, CameraFrame> = {};
    for (const cam of this.features.cameras) images[cam.name] = this.render(cam.width, cam.height);
    return { state: [...this.state], images, t: (performance.now() - this.t0) / 1000 };
  }

  /** A gradient whose bright column follows shoulder_pan and whose tint follows the gripper. */
  private render(width: number, height: number): CameraFrame {
    const data = new Uint8Array(width * height * 3);
    const pan = this.state[0] ?? 0;
    const col = Math.round(((pan + 110) / 220) * (width - 1));
    const tint = Math.round(((this.state[5] ?? 0) / 100) * 255);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 3;
        const on = Math.abs(x - col) <= 1;
        data[o] = on ? 255 : Math.round((x / width) * 200);
        data[o + 1] = on ? 255 : Math.round((y / height) * 200);
        data[o + 2] = on ? 255 : tint;
      }
    }
    return { width, height, data };
  }

  async act(target: number[]): Promise<void> {
    this.require();
    if (target.length !== this.state.length || !target.every(Number.isFinite)) {
      throw new RobotError(`act needs ${this.state.length} finite targets`, 'bad_target');
    }
    this.integrate();
    this.target = target.map((v, i) =>
      Math.min(this.features.limits[i]!.max, Math.max(this.features.limits[i]!.min, v)),
    );
  }

  async torque(mode: TorqueMode): Promise<void> {
    this.require();
    this.integrate();
    this.torqueOn = mode === 'on';
    if (this.torqueOn) this.target = [...this.state];
  }

  async estop(): Promise<void> {
    this.integrate();
    this.target = [...this.state];
  }

  /** Put the arm back at its home pose at once (as a simulator reset does). */
  async reset(): Promise<void> {
    this.state = [...this.home];
    this.target = [...this.home];
    this.last = performance.now();
  }

  async close(): Promise<void> {
    this.connected = false;
  }
}
