/**
 * The one interface every robot backend implements: the embedded simulator, the serial servo
 * buses and the ROS bridge. Units follow LeRobot's SO-101 convention: degrees for arm joints,
 * 0..100 for the gripper (0 closed, 100 open).
 */

export const SO101_JOINTS = [
  'shoulder_pan',
  'shoulder_lift',
  'elbow_flex',
  'wrist_flex',
  'wrist_roll',
  'gripper',
] as const;
export type So101Joint = (typeof SO101_JOINTS)[number];

/** LeRobot feature key of a joint position, e.g. `shoulder_pan.pos`. */
export const jointFeature = (joint: string): string => `${joint}.pos`;

/** An RGB image, row-major, 3 bytes per pixel, no padding. */
export interface CameraFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface Observation {
  /** Joint positions in the order of `RobotFeatures.joints` (degrees; gripper 0..100). */
  state: number[];
  /** Camera frames by camera name (`front`, `wrist`, ...). */
  images: Record<string, CameraFrame>;
  /** Seconds since the robot connected (monotonic). */
  t: number;
}

export interface JointLimit {
  min: number;
  max: number;
}

export interface RobotFeatures {
  /** Joint names in state/action order, e.g. SO101_JOINTS. */
  joints: string[];
  /** Position limits per joint in the robot's units. */
  limits: JointLimit[];
  /** Camera names and sizes; the LeRobot key is `observation.images.<name>`. */
  cameras: { name: string; width: number; height: number }[];
  /** LeRobot robot_type, e.g. `so101_follower`. */
  robotType: string;
}

export type TorqueMode = 'on' | 'off';

export interface Robot {
  /** Backend id, e.g. `sim`, `feetech`, `dynamixel`, `ros`. */
  readonly backend: string;
  readonly features: RobotFeatures;
  connect(): Promise<void>;
  observe(): Promise<Observation>;
  /** Send joint targets (same order and units as `state`). Callers go through the safety layer. */
  act(target: number[]): Promise<void>;
  torque(mode: TorqueMode): Promise<void>;
  /** Stop moving now: hold position (or torque off, as the backend is configured). */
  estop(): Promise<void>;
  close(): Promise<void>;
}

/** A robot error a user can act on: what happened and what to do. */
export class RobotError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly fix?: string,
  ) {
    super(fix ? `${message} (${fix})` : message);
    this.name = 'RobotError';
  }
}
