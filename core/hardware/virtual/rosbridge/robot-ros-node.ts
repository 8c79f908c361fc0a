import type { Robot } from '../../robot';
import {
  type CompressedImage,
  FJT_ERROR,
  type FollowJointTrajectoryFeedback,
  GOAL_STATUS,
  type Image,
  type JointState,
  type JointTolerance,
  secToTime,
  stampNow,
  timeToSec,
} from '../../ros/messages';
import { encodePng } from '../../ros/png';
import { type GripperRange, JointUnits, SO101_GRIPPER_RANGE } from '../../ros/units';
import { SafetyLayer } from '../../safety';
import { ProtocolError } from './codec';
import type { LocalGoalHandle, RosbridgeServer } from './rosbridge-server';
import { checkTrajectory, type PlannedTrajectory, planDuration, sampleTrajectory } from './trajectory';

/** Topic, service and action names the node serves (ros2_control conventions by default). */
export interface RobotRosNames {
  jointStates: string;
  trajectoryTopic: string;
  forwardTopic: string;
  gripperTopic: string;
  followAction: string;
  resetService: string;
  estopService: string;
  /** Cameras publish `<prefix>/<name>/image_raw` and `<prefix>/<name>/image/compressed`. */
  cameraPrefix: string;
}

export const DEFAULT_ROBOT_ROS_NAMES: RobotRosNames = {
  jointStates: '/joint_states',
  trajectoryTopic: '/arm_controller/joint_trajectory',
  forwardTopic: '/forward_position_controller/commands',
  gripperTopic: '/gripper_controller/commands',
  followAction: '/arm_controller/follow_joint_trajectory',
  resetService: '/reset',
  estopService: '/estop',
  cameraPrefix: '/camera',
};

export interface RobotRosNodeOptions {
  /** Joint state rate, Hz. Default 30. */
  publishHz?: number;
  /** Camera rate, Hz (only while someone subscribes). Default 10. */
  cameraHz?: number;
  /** Command rate towards the robot, Hz. Default 50. */
  controlHz?: number;
  /** ROS joint names in robot joint order. Default: the robot's own joint names. */
  rosJointNames?: string[];
  /** Which robot joint uses 0..100 (mapped onto `gripperRange` radians). Default `gripper` if present. */
  gripperJoint?: string | null;
  gripperRange?: GripperRange;
  /** Largest change of the commanded target per control tick, robot units. Default 4 per joint. */
  maxStepChange?: number[];
  /** Goal tolerance (radians) used when a FollowJointTrajectory goal gives none. Default 0.05. */
  defaultGoalToleranceRad?: number;
  /** Time (s) a goal may take after its last point to settle when it gives none. Default 2. */
  defaultGoalTimeTolerance?: number;
  frameId?: string;
  names?: Partial<RobotRosNames>;
  log?: (line: string) => void;
}

interface GoalRun {
  handle: LocalGoalHandle;
  jointNames: string[];
  goalTolRad: number[];
  pathTolRad: number[];
  settleS: number;
  lastFeedback: number;
}

type Source =
  | { kind: 'trajectory'; plan: PlannedTrajectory; goal: GoalRun | null }
  | { kind: 'target'; target: number[] };

/** A Robot that may also reset itself (simulators do). */
interface MaybeResettable {
  reset?: () => Promise<unknown>;
}

/**
 * Serves one Robot as a ROS robot on a RosbridgeServer: publishes /joint_states and camera images,
 * and executes trajectories, forward position commands, gripper commands, FollowJointTrajectory
 * goals, /reset and /estop. Every command passes the SafetyLayer, one bounded step per control tick.
 * ROS sees radians; the robot sees its own units (degrees, gripper 0..100; see ros/units.ts).
 */
export class RobotRosNode {
  readonly safety: SafetyLayer;
  readonly names: RobotRosNames;
  readonly rosJointNames: string[];
  readonly units: JointUnits;
  private measured: number[] | null = null;
  private velocity: number[] = [];
  private measuredAt = 0;
  private commanded: number[] | null = null;
  private source: Source | null = null;
  /** Gripper target from the gripper topic, applied on top of any arm command (robot units). */
  private gripperOverride: number | null = null;
  private timers: NodeJS.Timeout[] = [];
  private observing = false;
  private acting = false;
  private lastCameraAt = 0;
  private readonly log: (line: string) => void;
  private jointPub!: ReturnType<RosbridgeServer['advertise']>;
  private cameraPubs = new Map<
    string,
    { raw: ReturnType<RosbridgeServer['advertise']>; png: ReturnType<RosbridgeServer['advertise']> }
  >();
  private unsubscribers: (() => void)[] = [];

  constructor(
    readonly server: RosbridgeServer,
    readonly robot: Robot,
    readonly options: RobotRosNodeOptions = {},
  ) {
    const joints = robot.features.joints;
    this.names = { ...DEFAULT_ROBOT_ROS_NAMES, ...options.names };
    this.rosJointNames = options.rosJointNames ?? [...joints];
    if (this.rosJointNames.length !== joints.length) {
      throw new Error(
        `rosJointNames has ${this.rosJointNames.length} names but the robot has ${joints.length} joints`,
      );
    }
    const gripper =
      options.gripperJoint === undefined
        ? joints.includes('gripper')
          ? 'gripper'
          : null
        : options.gripperJoint;
    this.units = new JointUnits(joints, gripper, options.gripperRange ?? SO101_GRIPPER_RANGE);
    this.safety = new SafetyLayer({
      limits: robot.features.limits,
      maxStepChange: options.maxStepChange ?? joints.map(() => 4),
    });
    this.log = options.log ?? (() => {});
  }

  /** Read the robot once, register topics, services and the action, and start the loops. */
  async start(): Promise<void> {
    const first = await this.robot.observe();
    this.setMeasured(first.state);
    this.safety.reset(first.state);
    const n = this.names;
    this.jointPub = this.server.advertise(n.jointStates, 'sensor_msgs/msg/JointState');
    for (const cam of this.robot.features.cameras) {
      this.cameraPubs.set(cam.name, {
        raw: this.server.advertise(`${n.cameraPrefix}/${cam.name}/image_raw`, 'sensor_msgs/msg/Image'),
        png: this.server.advertise(
          `${n.cameraPrefix}/${cam.name}/image/compressed`,
          'sensor_msgs/msg/CompressedImage',
        ),
      });
    }
    this.unsubscribers.push(
      this.server.subscribe(n.trajectoryTopic, 'trajectory_msgs/msg/JointTrajectory', (m) =>
        this.onTrajectory(m),
      ),
      this.server.subscribe(n.forwardTopic, 'std_msgs/msg/Float64MultiArray', (m) => this.onForward(m)),
    );
    if (this.units.gripperJoint) {
      this.unsubscribers.push(
        this.server.subscribe(n.gripperTopic, 'std_msgs/msg/Float64MultiArray', (m) => this.onGripper(m)),
      );
    }
    this.server.advertiseService(n.resetService, 'std_srvs/srv/Trigger', () => this.reset());
    this.server.advertiseService(n.estopService, 'std_srvs/srv/Trigger', () => this.estop());
    this.server.advertiseAction(n.followAction, 'control_msgs/action/FollowJointTrajectory', (goal, handle) =>
      this.onGoal(goal, handle),
    );
    const every = (hz: number, fn: () => Promise<void>) => {
      this.timers.push(
        setInterval(() => {
          fn().catch((e: Error) => this.log(`robot node: ${e.message}`));
        }, 1000 / hz),
      );
    };
    every(this.options.publishHz ?? 30, () => this.publishTick());
    every(this.options.controlHz ?? 50, () => this.controlTick());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const u of this.unsubscribers) u();
    this.unsubscribers = [];
    this.endGoal(GOAL_STATUS.ABORTED, FJT_ERROR.INVALID_GOAL, 'the robot node stopped');
    this.source = null;
  }

  private setMeasured(state: number[]): void {
    const now = performance.now();
    if (this.measured && now > this.measuredAt) {
      const dt = (now - this.measuredAt) / 1000;
      this.velocity = state.map((v, i) => (v - this.measured![i]!) / dt);
    } else {
      this.velocity = state.map(() => 0);
    }
    this.measured = [...state];
    this.measuredAt = now;
  }

  private header() {
    return { stamp: stampNow(), frame_id: this.options.frameId ?? 'base_link' };
  }

  private async publishTick(): Promise<void> {
    if (this.observing) return;
    this.observing = true;
    try {
      const obs = await this.robot.observe();
      this.setMeasured(obs.state);
      const joints = this.robot.features.joints;
      const msg: JointState = {
        header: this.header(),
        name: this.rosJointNames,
        position: Float64Array.from(obs.state, (v, i) => this.units.toRad(joints[i]!, v)),
        velocity: Float64Array.from(this.velocity, (v, i) => v / this.units.perRad(joints[i]!)),
        effort: new Float64Array(0),
      };
      this.jointPub.publish(msg);
      const now = performance.now();
      if (now - this.lastCameraAt >= 1000 / (this.options.cameraHz ?? 10)) {
        this.lastCameraAt = now;
        for (const [name, pubs] of this.cameraPubs) {
          const frame = obs.images[name];
          if (!frame) continue;
          if (pubs.raw.hasSubscribers()) {
            const img: Image = {
              header: { ...this.header(), frame_id: `${name}_optical_frame` },
              height: frame.height,
              width: frame.width,
              encoding: 'rgb8',
              is_bigendian: 0,
              step: frame.width * 3,
              data: frame.data,
            };
            pubs.raw.publish(img);
          }
          if (pubs.png.hasSubscribers()) {
            const img: CompressedImage = {
              header: { ...this.header(), frame_id: `${name}_optical_frame` },
              format: 'rgb8; png compressed rgb8',
              data: encodePng(frame.width, frame.height, frame.data, 3),
            };
            pubs.png.publish(img);
          }
        }
      }
    } finally {
      this.observing = false;
    }
  }

  /** The target the next trajectory starts from: the last commanded one, else the measured state. */
  private currentTarget(): number[] {
    return [...(this.commanded ?? this.measured ?? this.robot.features.joints.map(() => 0))];
  }

  private async controlTick(): Promise<void> {
    if (this.acting || !this.source) return;
    this.acting = true;
    try {
      const src = this.source;
      const now = performance.now();
      let desired: number[];
      let finished = false;
      if (src.kind === 'trajectory') {
        const s = sampleTrajectory(src.plan, now);
        desired = s.target;
        finished = s.finished;
      } else {
        desired = src.target;
      }
      const g = this.gripperIndex();
      if (this.gripperOverride !== null && g >= 0)
        desired = desired.map((v, i) => (i === g ? this.gripperOverride! : v));
      const verdict = this.safety.filter(desired);
      if (!verdict.ok) {
        this.log(`command refused by the safety layer: ${verdict.reason}`);
        this.endGoal(
          GOAL_STATUS.ABORTED,
          FJT_ERROR.INVALID_GOAL,
          `refused by the safety layer: ${verdict.reason}`,
        );
        this.source = null;
        return;
      }
      await this.robot.act(verdict.target);
      this.commanded = verdict.target;
      if (this.source !== src) return;
      if (src.kind === 'trajectory' && src.goal) {
        this.checkGoal(src, desired, finished, now);
      } else if (src.kind === 'trajectory' && finished) {
        this.source = { kind: 'target', target: desired };
      } else if (src.kind === 'target' && verdict.target.every((v, i) => Math.abs(v - desired[i]!) < 1e-9)) {
        this.source = null;
      }
    } finally {
      this.acting = false;
    }
  }

  private gripperIndex(): number {
    return this.units.gripperJoint ? this.robot.features.joints.indexOf(this.units.gripperJoint) : -1;
  }

  /** A command that sets the gripper itself ends the gripper topic's override. */
  private releaseGripperIf(indices: readonly number[]): void {
    if (indices.includes(this.gripperIndex())) this.gripperOverride = null;
  }

  private toRad(values: readonly number[], idx: readonly number[]): number[] {
    const joints = this.robot.features.joints;
    return idx.map((j) => this.units.toRad(joints[j]!, values[j]!));
  }

  private checkGoal(
    src: Extract<Source, { kind: 'trajectory' }>,
    desired: number[],
    finished: boolean,
    now: number,
  ): void {
    const goal = src.goal!;
    const idx = src.plan.jointIndex;
    const actual = this.measured ?? desired;
    const desiredRad = this.toRad(desired, idx);
    const actualRad = this.toRad(actual, idx);
    const err = desiredRad.map((d, k) => d - actualRad[k]!);
    const elapsed = (now - src.plan.startedAt) / 1000;
    if (now - goal.lastFeedback >= 100) {
      goal.lastFeedback = now;
      const t = secToTime(elapsed);
      const feedback: FollowJointTrajectoryFeedback = {
        header: this.header(),
        joint_names: goal.jointNames,
        desired: { positions: desiredRad, velocities: [], time_from_start: t },
        actual: { positions: actualRad, velocities: [], time_from_start: t },
        error: { positions: err, velocities: [], time_from_start: t },
      };
      goal.handle.feedback(feedback);
    }
    if (!finished) {
      const bad = err.findIndex((e, k) => goal.pathTolRad[k]! > 0 && Math.abs(e) > goal.pathTolRad[k]!);
      if (bad >= 0) {
        this.endGoal(
          GOAL_STATUS.ABORTED,
          FJT_ERROR.PATH_TOLERANCE_VIOLATED,
          `joint ${goal.jointNames[bad]} is ${Math.abs(err[bad]!).toFixed(4)} rad off the path (tolerance ${goal.pathTolRad[bad]})`,
        );
        this.holdHere();
      }
      return;
    }
    const within = err.every((e, k) => Math.abs(e) <= goal.goalTolRad[k]!);
    if (within) {
      this.endGoal(GOAL_STATUS.SUCCEEDED, FJT_ERROR.SUCCESSFUL, '');
      this.source = { kind: 'target', target: desired };
    } else if (elapsed > planDuration(src.plan) + goal.settleS) {
      const worst = err.reduce((w, e, k) => (Math.abs(e) > Math.abs(err[w]!) ? k : w), 0);
      this.endGoal(
        GOAL_STATUS.ABORTED,
        FJT_ERROR.GOAL_TOLERANCE_VIOLATED,
        `joint ${goal.jointNames[worst]} ended ${Math.abs(err[worst]!).toFixed(4)} rad from its goal (tolerance ${goal.goalTolRad[worst]})`,
      );
      this.source = { kind: 'target', target: desired };
    }
  }

  private holdHere(): void {
    this.source = { kind: 'target', target: [...(this.measured ?? this.currentTarget())] };
  }

  private activeGoal(): GoalRun | null {
    return this.source?.kind === 'trajectory' ? this.source.goal : null;
  }

  private endGoal(status: number, code: number, error: string): void {
    const goal = this.activeGoal();
    if (!goal) return;
    (this.source as Extract<Source, { kind: 'trajectory' }>).goal = null;
    goal.handle.finish(status, { error_code: code, error_string: error });
  }

  private refuseIfStopped(): void {
    if (this.safety.estopped) {
      throw new ProtocolError(
        `e-stop is active: call ${this.names.resetService} (std_srvs/srv/Trigger) to resume`,
      );
    }
  }

  private onTrajectory(msg: Record<string, unknown>): void {
    this.refuseIfStopped();
    if (Array.isArray(msg.points) && msg.points.length === 0) {
      this.endGoal(
        GOAL_STATUS.ABORTED,
        FJT_ERROR.INVALID_GOAL,
        `stopped by an empty trajectory on ${this.names.trajectoryTopic}`,
      );
      this.holdHere();
      return;
    }
    const check = checkTrajectory(msg, this.rosJointNames, this.units);
    if (!check.ok) throw new ProtocolError(`${this.names.trajectoryTopic}: ${check.error}`);
    this.endGoal(
      GOAL_STATUS.ABORTED,
      FJT_ERROR.INVALID_GOAL,
      `preempted by a trajectory on ${this.names.trajectoryTopic}`,
    );
    this.releaseGripperIf(check.plan.jointIndex);
    this.source = {
      kind: 'trajectory',
      plan: { ...check.plan, start: this.currentTarget(), startedAt: performance.now() },
      goal: null,
    };
  }

  private setTargets(indices: number[], rads: number[]): void {
    this.endGoal(GOAL_STATUS.ABORTED, FJT_ERROR.INVALID_GOAL, 'preempted by a position command');
    const base = this.source?.kind === 'target' ? [...this.source.target] : this.currentTarget();
    indices.forEach((j, k) => {
      base[j] = this.units.toRobot(j, rads[k]!);
    });
    this.source = { kind: 'target', target: base };
  }

  private numbers(msg: Record<string, unknown>, topic: string): number[] {
    const data = msg.data;
    const list =
      Array.isArray(data) || ArrayBuffer.isView(data) ? Array.from(data as ArrayLike<unknown>) : null;
    if (!list?.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new ProtocolError(
        `${topic}: "data" must be a list of finite numbers (std_msgs/msg/Float64MultiArray)`,
      );
    }
    return list as number[];
  }

  private onForward(msg: Record<string, unknown>): void {
    this.refuseIfStopped();
    const data = this.numbers(msg, this.names.forwardTopic);
    const all = this.rosJointNames.map((_, i) => i);
    const arm = all.filter((i) => !this.units.isGripper(this.robot.features.joints[i]!));
    const idx = data.length === all.length ? all : data.length === arm.length ? arm : null;
    if (!idx) {
      throw new ProtocolError(
        `${this.names.forwardTopic}: expected ${arm.length} values (${arm.map((i) => this.rosJointNames[i]).join(', ')}) or ${all.length} (with the gripper), got ${data.length}`,
      );
    }
    this.releaseGripperIf(idx);
    this.setTargets(idx, data);
  }

  private onGripper(msg: Record<string, unknown>): void {
    this.refuseIfStopped();
    const data = this.numbers(msg, this.names.gripperTopic);
    if (data.length !== 1)
      throw new ProtocolError(`${this.names.gripperTopic}: expected 1 value (radians), got ${data.length}`);
    const g = this.gripperIndex();
    this.gripperOverride = this.units.toRobot(g, data[0]!);
    if (!this.source) this.source = { kind: 'target', target: this.currentTarget() };
  }

  private onGoal(goal: Record<string, unknown>, handle: LocalGoalHandle): void {
    const fail = (code: number, error: string) =>
      handle.finish(GOAL_STATUS.ABORTED, { error_code: code, error_string: error });
    if (this.safety.estopped) {
      fail(FJT_ERROR.INVALID_GOAL, `e-stop is active: call ${this.names.resetService} to resume`);
      return;
    }
    const check = checkTrajectory(goal.trajectory, this.rosJointNames, this.units);
    if (!check.ok) {
      fail(check.code, check.error);
      return;
    }
    const traj = goal.trajectory as { header?: { stamp?: { sec: number; nanosec: number } } };
    const stamp = timeToSec(traj.header?.stamp);
    if (stamp > 0 && stamp + planDuration(check.plan) < Date.now() / 1000) {
      fail(FJT_ERROR.OLD_HEADER_TIMESTAMP, 'the trajectory ends before now (header.stamp is too old)');
      return;
    }
    const names = (goal.trajectory as { joint_names: string[] }).joint_names;
    const tol = (list: unknown, fallback: number) =>
      names.map((n) => {
        const t = Array.isArray(list) ? (list as JointTolerance[]).find((x) => x?.name === n) : undefined;
        return typeof t?.position === 'number' && t.position > 0 ? t.position : fallback;
      });
    const settle = timeToSec(goal.goal_time_tolerance as { sec: number; nanosec: number } | undefined);
    const run: GoalRun = {
      handle,
      jointNames: names,
      goalTolRad: tol(goal.goal_tolerance, this.options.defaultGoalToleranceRad ?? 0.05),
      pathTolRad: tol(goal.path_tolerance, 0),
      settleS: settle > 0 ? settle : (this.options.defaultGoalTimeTolerance ?? 2),
      lastFeedback: 0,
    };
    this.endGoal(GOAL_STATUS.CANCELED, FJT_ERROR.SUCCESSFUL, 'preempted by a newer goal');
    this.releaseGripperIf(check.plan.jointIndex);
    this.source = {
      kind: 'trajectory',
      plan: { ...check.plan, start: this.currentTarget(), startedAt: performance.now() },
      goal: run,
    };
    handle.onCancel(() => {
      if (this.activeGoal() !== run) return;
      this.holdHere();
      run.handle.finish(GOAL_STATUS.CANCELED, { error_code: FJT_ERROR.SUCCESSFUL, error_string: 'canceled' });
    });
  }

  private async estop(): Promise<{ success: boolean; message: string }> {
    this.safety.estop();
    this.endGoal(GOAL_STATUS.ABORTED, FJT_ERROR.INVALID_GOAL, 'e-stop');
    this.source = null;
    this.gripperOverride = null;
    await this.robot.estop();
    return { success: true, message: `e-stopped; call ${this.names.resetService} to resume` };
  }

  private async reset(): Promise<{ success: boolean; message: string }> {
    this.endGoal(GOAL_STATUS.ABORTED, FJT_ERROR.INVALID_GOAL, 'reset');
    this.source = null;
    this.gripperOverride = null;
    const r = this.robot as Robot & MaybeResettable;
    if (typeof r.reset === 'function') await r.reset();
    const obs = await this.robot.observe();
    this.setMeasured(obs.state);
    this.commanded = [...obs.state];
    this.safety.release(obs.state);
    return {
      success: true,
      message:
        typeof r.reset === 'function'
          ? 'robot reset; e-stop cleared'
          : 'e-stop cleared; the arm holds where it is',
    };
  }
}
