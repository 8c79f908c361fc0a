/**
 * ROS 2 message shapes used by the rosbridge adapter and the rosbridge server, as they travel in
 * rosbridge v2 JSON (or CBOR). `uint8[]` fields are base64 strings in JSON and byte strings in
 * CBOR; numeric arrays may arrive as plain arrays or typed arrays.
 */

export interface RosTime {
  sec: number;
  nanosec: number;
}

export interface Header {
  stamp: RosTime;
  frame_id: string;
}

export type NumberArray = number[] | Float64Array | Float32Array;
export type ByteField = string | Uint8Array | number[];

export interface JointState {
  header: Header;
  name: string[];
  position: NumberArray;
  velocity: NumberArray;
  effort: NumberArray;
}

export interface Image {
  header: Header;
  height: number;
  width: number;
  encoding: string;
  is_bigendian: number;
  step: number;
  data: ByteField;
}

export interface CompressedImage {
  header: Header;
  format: string;
  data: ByteField;
}

export interface JointTrajectoryPoint {
  positions: NumberArray;
  velocities?: NumberArray;
  accelerations?: NumberArray;
  effort?: NumberArray;
  time_from_start: RosTime;
}

export interface JointTrajectory {
  header?: Header;
  joint_names: string[];
  points: JointTrajectoryPoint[];
}

export interface Float64MultiArray {
  layout?: { dim: { label: string; size: number; stride: number }[]; data_offset: number };
  data: NumberArray;
}

export interface JointTolerance {
  name: string;
  position: number;
  velocity?: number;
  acceleration?: number;
}

export interface FollowJointTrajectoryGoal {
  trajectory: JointTrajectory;
  path_tolerance?: JointTolerance[];
  goal_tolerance?: JointTolerance[];
  goal_time_tolerance?: RosTime;
}

export interface FollowJointTrajectoryFeedback {
  header: Header;
  joint_names: string[];
  desired: { positions: number[]; velocities: number[]; time_from_start: RosTime };
  actual: { positions: number[]; velocities: number[]; time_from_start: RosTime };
  error: { positions: number[]; velocities: number[]; time_from_start: RosTime };
}

export interface FollowJointTrajectoryResult {
  error_code: number;
  error_string: string;
}

/** control_msgs/action/FollowJointTrajectory result codes. */
export const FJT_ERROR = {
  SUCCESSFUL: 0,
  INVALID_GOAL: -1,
  INVALID_JOINTS: -2,
  OLD_HEADER_TIMESTAMP: -3,
  PATH_TOLERANCE_VIOLATED: -4,
  GOAL_TOLERANCE_VIOLATED: -5,
} as const;

/** action_msgs/msg/GoalStatus values (ROS 2). */
export const GOAL_STATUS = {
  UNKNOWN: 0,
  ACCEPTED: 1,
  EXECUTING: 2,
  CANCELING: 3,
  SUCCEEDED: 4,
  CANCELED: 5,
  ABORTED: 6,
} as const;

export interface TriggerResponse {
  success: boolean;
  message: string;
}

export function timeFromMs(ms: number): RosTime {
  const sec = Math.floor(ms / 1000);
  return { sec, nanosec: Math.round((ms - sec * 1000) * 1e6) };
}

export function stampNow(): RosTime {
  return timeFromMs(Date.now());
}

/** Seconds in a ROS 2 time ({sec, nanosec}); ROS 1's {secs, nsecs} is read too. */
export function timeToSec(t: RosTime | { secs?: number; nsecs?: number } | undefined): number {
  if (!t || typeof t !== 'object') return 0;
  const r = t as { sec?: unknown; nanosec?: unknown; secs?: unknown; nsecs?: unknown };
  return (Number(r.sec ?? r.secs) || 0) + (Number(r.nanosec ?? r.nsecs) || 0) / 1e9;
}

export function secToTime(s: number): RosTime {
  return timeFromMs(s * 1000);
}

/**
 * Canonical ROS 2 type name: `sensor_msgs/JointState` and `sensor_msgs/msg/JointState` both become
 * `sensor_msgs/msg/JointState` (same for `srv` and `action`).
 */
export function canonicalType(type: string, kind: 'msg' | 'srv' | 'action'): string {
  const parts = type.split('/').filter((p) => p.length > 0);
  if (parts.length === 2) return `${parts[0]}/${kind}/${parts[1]}`;
  return parts.join('/');
}

/** Base64 (JSON), bytes (CBOR) or a plain number array: the ways a `uint8[]` field arrives. */
export function bytesOf(field: ByteField | undefined): Uint8Array {
  if (field === undefined) return new Uint8Array(0);
  if (typeof field === 'string') {
    const b = Buffer.from(field, 'base64');
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  if (field instanceof Uint8Array) return field;
  return Uint8Array.from(field);
}
