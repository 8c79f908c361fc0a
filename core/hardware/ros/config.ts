import { type JointLimit, RobotError, SO101_JOINTS } from '../robot';
import { type GripperRange, SO101_GRIPPER_RANGE } from './units';

export interface RosCameraConfig {
  /** Camera name in the Robot (`observation.images.<name>`). */
  name: string;
  topic: string;
  /** `compressed`: sensor_msgs/msg/CompressedImage (jpeg/png); `raw`: sensor_msgs/msg/Image. */
  type: 'compressed' | 'raw';
  /** Known size; when absent it is learned from the first frame during connect(). */
  width?: number;
  height?: number;
  /** Throttle for this camera (ms between messages); default: the config's throttleMs. */
  throttleMs?: number;
}

export type RosCommandConfig =
  /** trajectory_msgs/msg/JointTrajectory with one point `horizonMs` ahead (ros2_control JTC topic). */
  | { kind: 'trajectory'; topic: string; horizonMs?: number }
  /** std_msgs/msg/Float64MultiArray in the order of `joints` (ROS names; default: all mapped joints). */
  | { kind: 'forward'; topic: string; joints?: string[] }
  /** One FollowJointTrajectory goal per command, each preempting the last. */
  | { kind: 'action'; action: string; horizonMs?: number };

export interface RosRobotConfig {
  /** rosbridge URL, ws:// or wss:// (rosbridge's default port is 9090). */
  url: string;
  jointStateTopic: string;
  /** ROS joint name -> robot joint (`shoulder_pan` or its feature key `shoulder_pan.pos`), in state order. */
  jointNameMap: Record<string, string>;
  cameras: RosCameraConfig[];
  command: RosCommandConfig;
  /** std_msgs/msg/Float64MultiArray with the gripper position in radians; the gripper then leaves `command`. */
  gripperTopic?: string;
  /** std_srvs/srv/Trigger services. */
  resetService?: string;
  estopService?: string;
  /** control_msgs/action/FollowJointTrajectory used by followTrajectory(). */
  followAction?: string;
  /** No joint state for this long: observe() throws and the arm is held. */
  staleAfterMs: number;
  compression: 'none' | 'cbor' | 'png';
  /** rosbridge throttle_rate for subscriptions, ms. */
  throttleMs: number;
  /** Give up a connection attempt after this long. Default 5000. */
  connectTimeoutMs?: number;
  /** connect() waits this long for the first joint state (and camera frames of unknown size). Default 5000. */
  firstMessageTimeoutMs?: number;
  /** Reconnect backoff: initial delay, growth factor, ceiling. Default 250 ms, x2, 5000 ms. */
  reconnect?: { initialMs?: number; factor?: number; maxMs?: number };
  /** Robot-unit limits per joint (default: SO-101 limits for SO-101 names, else +-180 / 0..100). */
  limits?: JointLimit[];
  /** Robot joint whose unit is 0..100. Default `gripper` when mapped. */
  gripperJoint?: string | null;
  gripperRange?: GripperRange;
  robotType?: string;
}

const SO101_MAP: Record<string, string> = Object.fromEntries(SO101_JOINTS.map((j) => [j, j]));
const SO101_ARM = SO101_JOINTS.filter((j) => j !== 'gripper');

const base = (url: string): RosRobotConfig => ({
  url,
  jointStateTopic: '/joint_states',
  jointNameMap: { ...SO101_MAP },
  cameras: [],
  command: { kind: 'trajectory', topic: '/arm_controller/joint_trajectory' },
  staleAfterMs: 500,
  compression: 'none',
  throttleMs: 0,
  gripperRange: SO101_GRIPPER_RANGE,
});

/** Ready-made configurations; spread and override what differs: `{...rosPresets.x(url), cameras: [...]}`. */
export const rosPresets = {
  /** ros2_control joint_trajectory_controller named arm_controller; gripper on its own forward controller. */
  ros2ControlTrajectory: (url: string): RosRobotConfig => ({
    ...base(url),
    command: { kind: 'trajectory', topic: '/arm_controller/joint_trajectory', horizonMs: 100 },
    gripperTopic: '/gripper_controller/commands',
    followAction: '/arm_controller/follow_joint_trajectory',
  }),
  /** ros2_control forward_position_controller for the arm joints; gripper on its own forward controller. */
  ros2ControlForward: (url: string): RosRobotConfig => ({
    ...base(url),
    command: { kind: 'forward', topic: '/forward_position_controller/commands', joints: [...SO101_ARM] },
    gripperTopic: '/gripper_controller/commands',
  }),
  /** This app's simulated arm served by serveRobotOverRos (core/hardware/virtual/rosbridge). */
  pushcutSim: (url = 'ws://127.0.0.1:9090'): RosRobotConfig => ({
    ...base(url),
    cameras: [{ name: 'front', topic: '/camera/front/image/compressed', type: 'compressed' }],
    command: { kind: 'trajectory', topic: '/arm_controller/joint_trajectory', horizonMs: 50 },
    resetService: '/reset',
    estopService: '/estop',
    followAction: '/arm_controller/follow_joint_trajectory',
  }),
};

/** Throw a RobotError saying what is wrong with a config and how to fix it. */
export function validateRosConfig(config: RosRobotConfig): void {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new RobotError(
      `rosbridge URL ${JSON.stringify(config.url)} is not a URL`,
      'ros_bad_url',
      'use ws://HOST:9090 or wss://HOST:PORT',
    );
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new RobotError(
      `rosbridge URL ${config.url} uses ${url.protocol.replace(':', '')}://, but rosbridge speaks WebSocket`,
      'ros_bad_url',
      `use ws://${url.host || 'HOST:9090'} (or wss:// behind TLS)`,
    );
  }
  const names = Object.keys(config.jointNameMap);
  if (names.length === 0)
    throw new RobotError('jointNameMap is empty', 'ros_config', 'map each ROS joint name to a robot joint');
  const joints = Object.values(config.jointNameMap).map((j) => j.replace(/\.pos$/, ''));
  if (new Set(joints).size !== joints.length) {
    throw new RobotError(
      `jointNameMap maps two ROS joints onto the same robot joint: ${joints.join(', ')}`,
      'ros_config',
    );
  }
  if (config.limits && config.limits.length !== joints.length) {
    throw new RobotError(
      `limits has ${config.limits.length} entries for ${joints.length} joints`,
      'ros_config',
    );
  }
  if (config.command.kind === 'forward' && config.command.joints) {
    const unknown = config.command.joints.filter((j) => !names.includes(j));
    if (unknown.length) {
      throw new RobotError(
        `forward command joints ${unknown.join(', ')} are not in jointNameMap (${names.join(', ')})`,
        'ros_config',
      );
    }
  }
  if (!(config.staleAfterMs > 0)) throw new RobotError('staleAfterMs must be > 0', 'ros_config');
  const cams = config.cameras.map((c) => c.name);
  if (new Set(cams).size !== cams.length)
    throw new RobotError(`camera names repeat: ${cams.join(', ')}`, 'ros_config');
}
