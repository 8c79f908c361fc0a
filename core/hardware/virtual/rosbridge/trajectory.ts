import { FJT_ERROR, type JointTrajectory, timeToSec } from '../../ros/messages';
import type { JointUnits } from '../../ros/units';

/** A validated trajectory in robot units, ready to be sampled by the control loop. */
export interface PlannedTrajectory {
  /** Robot joint index of each trajectory joint. */
  jointIndex: number[];
  /** Seconds from start of each waypoint, strictly increasing. */
  times: number[];
  /** Waypoints in robot units, one value per trajectory joint. */
  points: number[][];
  /** Full robot-unit target vector at t = 0 (joints not in the trajectory keep these). */
  start: number[];
  startedAt: number;
}

export type TrajectoryCheck =
  | { ok: true; plan: Omit<PlannedTrajectory, 'start' | 'startedAt'> }
  | { ok: false; code: number; error: string };

const finiteArray = (v: unknown): v is ArrayLike<number> =>
  (Array.isArray(v) || ArrayBuffer.isView(v)) &&
  Array.from(v as ArrayLike<unknown>).every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * Check a JointTrajectory against the robot's ROS joint names and convert it to robot units.
 * Error codes follow control_msgs/action/FollowJointTrajectory (-2 invalid joints, -1 invalid goal).
 */
export function checkTrajectory(
  traj: unknown,
  rosJointNames: readonly string[],
  units: JointUnits,
): TrajectoryCheck {
  if (typeof traj !== 'object' || traj === null)
    return { ok: false, code: FJT_ERROR.INVALID_GOAL, error: 'trajectory must be an object' };
  const t = traj as Partial<JointTrajectory>;
  if (
    !Array.isArray(t.joint_names) ||
    t.joint_names.length === 0 ||
    !t.joint_names.every((n) => typeof n === 'string')
  ) {
    return {
      ok: false,
      code: FJT_ERROR.INVALID_JOINTS,
      error: 'joint_names must be a non-empty list of joint names',
    };
  }
  const unknown = t.joint_names.filter((n) => !rosJointNames.includes(n));
  if (unknown.length || new Set(t.joint_names).size !== t.joint_names.length) {
    return {
      ok: false,
      code: FJT_ERROR.INVALID_JOINTS,
      error: `joint_names [${t.joint_names.join(', ')}] must be distinct names from [${rosJointNames.join(', ')}]${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`,
    };
  }
  if (!Array.isArray(t.points) || t.points.length === 0) {
    return { ok: false, code: FJT_ERROR.INVALID_GOAL, error: 'trajectory has no points' };
  }
  const jointIndex = t.joint_names.map((n) => rosJointNames.indexOf(n));
  const times: number[] = [];
  const points: number[][] = [];
  for (const [i, p] of t.points.entries()) {
    if (
      typeof p !== 'object' ||
      p === null ||
      !finiteArray(p.positions) ||
      p.positions.length !== jointIndex.length
    ) {
      return {
        ok: false,
        code: FJT_ERROR.INVALID_GOAL,
        error: `point ${i} needs ${jointIndex.length} finite positions (one per joint name)`,
      };
    }
    const time = timeToSec(p.time_from_start);
    if (!Number.isFinite(time) || time < 0 || (times.length > 0 && time <= times[times.length - 1]!)) {
      return {
        ok: false,
        code: FJT_ERROR.INVALID_GOAL,
        error: `point ${i}: time_from_start must increase strictly`,
      };
    }
    times.push(time);
    const pos = Array.from(p.positions);
    points.push(jointIndex.map((j, k) => units.toRobot(j, pos[k]!)));
  }
  return { ok: true, plan: { jointIndex, times, points } };
}

/** The target (robot units, full vector) at `nowMs`, linearly interpolated between waypoints. */
export function sampleTrajectory(
  plan: PlannedTrajectory,
  nowMs: number,
): { target: number[]; finished: boolean } {
  const t = (nowMs - plan.startedAt) / 1000;
  const target = [...plan.start];
  const last = plan.times.length - 1;
  let k = plan.times.findIndex((time) => time >= t);
  const finished = k < 0;
  if (finished) k = last;
  const t1 = plan.times[k]!;
  const t0 = k === 0 ? 0 : plan.times[k - 1]!;
  const alpha = finished || t1 <= t0 ? 1 : Math.min(1, Math.max(0, (t - t0) / (t1 - t0)));
  plan.jointIndex.forEach((j, n) => {
    const from = k === 0 ? plan.start[j]! : plan.points[k - 1]![n]!;
    const to = plan.points[k]![n]!;
    target[j] = from + (to - from) * alpha;
  });
  return { target, finished };
}

/** Duration of the plan in seconds. */
export function planDuration(plan: Pick<PlannedTrajectory, 'times'>): number {
  return plan.times[plan.times.length - 1] ?? 0;
}
