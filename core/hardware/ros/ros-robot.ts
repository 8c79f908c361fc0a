import { EventEmitter } from 'node:events';
import { Action, Ros, Service, Topic } from 'roslib';
import {
  type CameraFrame,
  type JointLimit,
  type Observation,
  type Robot,
  RobotError,
  type RobotFeatures,
  SO101_JOINTS,
  type TorqueMode,
} from '../robot';
import { type RosRobotConfig, validateRosConfig } from './config';
import { decodeCompressedImage, decodeRawImage } from './image-decode';
import {
  type CompressedImage,
  type FollowJointTrajectoryFeedback,
  type FollowJointTrajectoryResult,
  type Image,
  type JointState,
  type JointTrajectory,
  secToTime,
  type TriggerResponse,
} from './messages';
import { type TopicStat, TopicStats } from './topic-stats';
import { JointUnits, SO101_GRIPPER_RANGE } from './units';
import { wsTransportFactory } from './ws-transport';

export type RosPresence = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'error' | 'closed';

export interface RosRobotEvents {
  presence: [state: RosPresence, detail: string];
  /** No joint state for staleAfterMs; the adapter has sent a hold command. */
  stale: [ageMs: number];
  /** Joint states flow again after a stale period. */
  fresh: [];
  /** Something went wrong that the caller may want to show (status errors, failed commands). */
  problem: [error: Error];
}

export interface TrajectoryWaypoint {
  /** Full target in robot units (degrees; gripper 0..100), in `features.joints` order. */
  positions: number[];
  timeFromStartS: number;
}

export interface FollowResult {
  status: 'succeeded' | 'aborted' | 'canceled' | 'failed';
  errorCode: number;
  errorString: string;
}

const SO101_DEFAULT_LIMITS: Record<string, JointLimit> = {
  shoulder_pan: { min: -110, max: 110 },
  shoulder_lift: { min: -100, max: 100 },
  elbow_flex: { min: -96.8, max: 96.8 },
  wrist_flex: { min: -95, max: 95 },
  wrist_roll: { min: -160, max: 160 },
  gripper: { min: 0, max: 100 },
};

interface Connection {
  ros: Ros;
  topics: Topic<unknown>[];
  commandTopic: Topic<unknown> | null;
  gripperTopic: Topic<unknown> | null;
  action: Action<unknown, unknown, unknown> | null;
}

interface CameraSlot {
  latest: { msg: unknown; at: number } | null;
  decoded: { msg: unknown; frame: CameraFrame } | null;
}

/**
 * A robot behind rosbridge v2, through roslib 2.x. Reads joint states (radians) and camera images,
 * commands the arm by trajectory, forward position or FollowJointTrajectory action, reconnects by
 * itself with exponential backoff, and treats a silent joint state topic as stale (hold + error).
 *
 *   const robot = new RosRobot(rosPresets.pushcutSim('ws://127.0.0.1:9090'));
 *   robot.on('presence', (s, why) => console.log(s, why));
 *   await robot.connect();
 *   const obs = await robot.observe();   // degrees, gripper 0..100
 */
export class RosRobot extends EventEmitter<RosRobotEvents> implements Robot {
  readonly backend = 'ros';
  readonly features: RobotFeatures;
  readonly config: RosRobotConfig;
  private readonly rosNames: string[];
  private readonly units: JointUnits;
  private presenceState: RosPresence = 'idle';
  private conn: Connection | null = null;
  private closing = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private staleTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private connectedAt = 0;
  private readonly latestRad = new Map<string, number>();
  private receivedNames = new Set<string>();
  private lastJointAt = 0;
  private stale = false;
  private readonly cameras = new Map<string, CameraSlot>();
  private readonly stats = new TopicStats();
  private statusErrors: string[] = [];
  private readonly goals = new Set<string>();

  constructor(config: RosRobotConfig) {
    super();
    validateRosConfig(config);
    this.config = config;
    this.rosNames = Object.keys(config.jointNameMap);
    const joints = Object.values(config.jointNameMap).map((j) => j.replace(/\.pos$/, ''));
    const gripper =
      config.gripperJoint === undefined
        ? joints.includes('gripper')
          ? 'gripper'
          : null
        : config.gripperJoint;
    this.units = new JointUnits(joints, gripper, config.gripperRange ?? SO101_GRIPPER_RANGE);
    const isSo101 = joints.every((j) => (SO101_JOINTS as readonly string[]).includes(j));
    this.features = {
      joints,
      limits:
        config.limits ??
        joints.map((j) =>
          isSo101
            ? { ...SO101_DEFAULT_LIMITS[j]! }
            : j === gripper
              ? { min: 0, max: 100 }
              : { min: -180, max: 180 },
        ),
      cameras: config.cameras.map((c) => ({ name: c.name, width: c.width ?? 0, height: c.height ?? 0 })),
      robotType: config.robotType ?? (isSo101 ? 'so101_follower' : 'ros_arm'),
    };
    for (const c of config.cameras) this.cameras.set(c.name, { latest: null, decoded: null });
  }

  get presence(): RosPresence {
    return this.presenceState;
  }

  private setPresence(state: RosPresence, detail: string): void {
    if (this.presenceState === state) return;
    this.presenceState = state;
    this.emit('presence', state, detail);
  }

  private problem(err: Error): void {
    this.emit('problem', err);
  }

  // ------------------------------------------------------------------ connection life

  async connect(): Promise<void> {
    if (this.presenceState === 'connected') return;
    this.closing = false;
    this.statusErrors = [];
    this.setPresence('connecting', this.config.url);
    try {
      await this.open();
      await this.waitForFirstData();
    } catch (e) {
      this.teardown();
      this.setPresence('error', (e as Error).message);
      throw e;
    }
    this.connectedAt = performance.now();
    this.attempt = 0;
    this.startStaleWatch();
    this.setPresence('connected', this.config.url);
  }

  /** One connection attempt: socket open within connectTimeoutMs, then subscribe everything. */
  private async open(): Promise<void> {
    const timeoutMs = this.config.connectTimeoutMs ?? 5000;
    const ros = new Ros({ transportFactory: wsTransportFactory(timeoutMs, (m) => this.onStatus(m)) });
    let lastError = '';
    ros.on('error', (e: unknown) => {
      lastError = (e as Error)?.message ?? String(e);
    });
    const opened = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(this.unreachable(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      ros.once('connection', () => {
        clearTimeout(timer);
        resolve();
      });
      ros.once('close', () => {
        clearTimeout(timer);
        reject(this.unreachable(lastError || 'the connection closed'));
      });
    });
    try {
      await ros.connect(this.config.url);
      await opened;
    } catch (e) {
      ros.removeAllListeners();
      ros.close();
      throw e instanceof RobotError ? e : this.unreachable((e as Error).message);
    }
    ros.removeAllListeners('close');
    ros.removeAllListeners('error');
    ros.on('error', () => {});
    ros.on('close', () => this.onDisconnected(ros));
    this.conn = { ros, topics: [], commandTopic: null, gripperTopic: null, action: null };
    this.subscribeAll(this.conn);
  }

  private unreachable(why: string): RobotError {
    return new RobotError(
      `cannot reach rosbridge at ${this.config.url}: ${why}`,
      'ros_unreachable',
      'check the address and that rosbridge is running (ros2 launch rosbridge_server rosbridge_websocket_launch.xml)',
    );
  }

  private onStatus(m: unknown): void {
    const s = m as { level?: string; msg?: string; id?: string };
    if (s.level !== 'error' && s.level !== 'warning') return;
    const text = `rosbridge ${s.level}: ${s.msg}`;
    if (s.level === 'error') this.statusErrors.push(text);
    if (this.statusErrors.length > 20) this.statusErrors.shift();
    this.problem(new RobotError(text, 'ros_status'));
  }

  private subscribeAll(conn: Connection): void {
    const { ros } = conn;
    const c = this.config;
    const joint = new Topic<JointState>({
      ros,
      name: c.jointStateTopic,
      messageType: 'sensor_msgs/msg/JointState',
      compression: c.compression,
      throttle_rate: c.throttleMs,
      reconnect_on_close: false,
    });
    this.stats.track(c.jointStateTopic, 'sensor_msgs/msg/JointState');
    joint.subscribe((m) => this.onJointState(m));
    conn.topics.push(joint as Topic<unknown>);
    for (const cam of c.cameras) {
      const type = cam.type === 'compressed' ? 'sensor_msgs/msg/CompressedImage' : 'sensor_msgs/msg/Image';
      const t = new Topic<unknown>({
        ros,
        name: cam.topic,
        messageType: type,
        compression: c.compression,
        throttle_rate: cam.throttleMs ?? c.throttleMs,
        queue_length: 1,
        reconnect_on_close: false,
      });
      this.stats.track(cam.topic, type);
      t.subscribe((m) => {
        const slot = this.cameras.get(cam.name)!;
        slot.latest = { msg: m, at: performance.now() };
        this.stats.record(cam.topic, (m as { header?: JointState['header'] })?.header?.stamp);
      });
      conn.topics.push(t);
    }
    const cmd = c.command;
    if (cmd.kind === 'trajectory') {
      conn.commandTopic = new Topic({
        ros,
        name: cmd.topic,
        messageType: 'trajectory_msgs/msg/JointTrajectory',
        reconnect_on_close: false,
      });
    } else if (cmd.kind === 'forward') {
      conn.commandTopic = new Topic({
        ros,
        name: cmd.topic,
        messageType: 'std_msgs/msg/Float64MultiArray',
        reconnect_on_close: false,
      });
    }
    if (c.gripperTopic) {
      conn.gripperTopic = new Topic({
        ros,
        name: c.gripperTopic,
        messageType: 'std_msgs/msg/Float64MultiArray',
        reconnect_on_close: false,
      });
    }
    const actionName = cmd.kind === 'action' ? cmd.action : c.followAction;
    if (actionName) {
      conn.action = new Action({
        ros,
        name: actionName,
        actionType: 'control_msgs/action/FollowJointTrajectory',
      });
    }
  }

  private onJointState(m: JointState): void {
    if (!m || !Array.isArray(m.name)) return;
    const pos = Array.isArray(m.position) || ArrayBuffer.isView(m.position) ? Array.from(m.position) : [];
    m.name.forEach((n, i) => {
      this.receivedNames.add(n);
      const v = pos[i];
      if (typeof v === 'number' && Number.isFinite(v)) this.latestRad.set(n, v);
    });
    this.stats.record(this.config.jointStateTopic, m.header?.stamp);
    if (this.rosNames.every((n) => this.latestRad.has(n))) {
      this.lastJointAt = performance.now();
      if (this.stale) {
        this.stale = false;
        this.emit('fresh');
      }
    }
  }

  /** Wait for a full joint state and the first frame of each camera whose size is unknown. */
  private async waitForFirstData(): Promise<void> {
    const timeoutMs = this.config.firstMessageTimeoutMs ?? 5000;
    const deadline = performance.now() + timeoutMs;
    const sizeless = this.config.cameras.filter((c) => !c.width || !c.height);
    // Give rosbridge a moment to refuse a subscription even when data arrives at once.
    const settleUntil = performance.now() + 100;
    while (performance.now() < deadline) {
      if (!this.conn) throw this.unreachable('the connection closed while waiting for the first joint state');
      if (performance.now() < settleUntil) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const jointsOk = this.lastJointAt > 0;
      const camsOk = sizeless.every((c) => this.cameras.get(c.name)!.latest);
      if (jointsOk && camsOk) break;
      if (this.statusErrors.length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    if (this.statusErrors.length) {
      throw new RobotError(
        `rosbridge refused a subscription: ${this.statusErrors.join('; ')}`,
        'ros_topic',
        'check the topic names and types in the config (jointStateTopic, cameras)',
      );
    }
    if (this.lastJointAt === 0) {
      const topic = this.config.jointStateTopic;
      if (this.receivedNames.size > 0) {
        const missing = this.rosNames.filter((n) => !this.receivedNames.has(n));
        throw new RobotError(
          `joint names on ${topic} do not match: expected [${this.rosNames.join(', ')}], received [${[...this.receivedNames].join(', ')}]; missing [${missing.join(', ')}]`,
          'ros_joint_names',
          'make jointNameMap use the names the robot publishes',
        );
      }
      const topics = await this.listTopics().catch(() => null);
      throw new RobotError(
        `no sensor_msgs/msg/JointState on ${topic} within ${timeoutMs} ms${topics ? `; topics on the server: ${topics.join(', ')}` : ''}`,
        'ros_no_data',
        'check that the robot driver publishes joint states and that jointStateTopic is right',
      );
    }
    for (const c of sizeless) {
      const slot = this.cameras.get(c.name)!;
      if (!slot.latest) {
        throw new RobotError(
          `no image on ${c.topic} within ${timeoutMs} ms (camera ${c.name})`,
          'ros_no_data',
          'check the camera topic and type, or give width and height so connect() need not wait',
        );
      }
      const frame = this.decodeCamera(c.name)!;
      const feat = this.features.cameras.find((f) => f.name === c.name)!;
      feat.width = frame.width;
      feat.height = frame.height;
    }
  }

  /** Topic names from rosapi (when the server offers it). */
  async listTopics(timeoutMs = 1000): Promise<string[]> {
    const res = await this.callService<{ topics: string[] }>(
      '/rosapi/topics',
      'rosapi/srv/Topics',
      {},
      timeoutMs,
    );
    return res.topics;
  }

  private onDisconnected(ros: Ros): void {
    if (this.conn?.ros !== ros) return;
    this.teardown();
    // During connect() the caller hears about it from connect(); reconnecting is for live robots.
    if (this.closing || this.presenceState === 'connecting') return;
    this.setPresence('reconnecting', `lost the connection to ${this.config.url}`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing || this.reconnectTimer) return;
    const r = this.config.reconnect ?? {};
    const delay = Math.min(r.maxMs ?? 5000, (r.initialMs ?? 250) * (r.factor ?? 2) ** this.attempt);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.open().then(
        () => {
          if (this.closing) {
            this.teardown();
            return;
          }
          this.attempt = 0;
          this.setPresence('connected', `reconnected to ${this.config.url}`);
        },
        (e: Error) => {
          if (this.closing) return;
          this.setPresence('reconnecting', `attempt ${this.attempt} failed: ${e.message}`);
          this.scheduleReconnect();
        },
      );
    }, delay);
  }

  private teardown(): void {
    const conn = this.conn;
    this.conn = null;
    if (!conn) return;
    conn.ros.removeAllListeners();
    conn.ros.on('error', () => {});
    conn.ros.close();
  }

  private startStaleWatch(): void {
    if (this.staleTimer) clearInterval(this.staleTimer);
    this.staleTimer = setInterval(() => this.checkStale(), Math.max(20, this.config.staleAfterMs / 4));
  }

  private checkStale(): void {
    const age = performance.now() - this.lastJointAt;
    if (this.stale || age <= this.config.staleAfterMs) return;
    this.stale = true;
    this.hold();
    this.emit('stale', age);
  }

  /** Command the last measured position (the arm stops where it was last seen). */
  private hold(): void {
    if (!this.conn?.ros.isConnected || this.latestRad.size === 0) return;
    try {
      this.sendCommand(this.measuredState());
    } catch (e) {
      this.problem(e as Error);
    }
  }

  // ------------------------------------------------------------------ Robot

  private measuredState(): number[] {
    return this.rosNames.map((n, i) =>
      this.units.fromRad(this.features.joints[i]!, this.latestRad.get(n) ?? 0),
    );
  }

  private decodeCamera(name: string): CameraFrame | null {
    const slot = this.cameras.get(name);
    if (!slot?.latest) return null;
    if (slot.decoded && slot.decoded.msg === slot.latest.msg) return slot.decoded.frame;
    const cam = this.config.cameras.find((c) => c.name === name)!;
    const frame =
      cam.type === 'compressed'
        ? decodeCompressedImage(slot.latest.msg as CompressedImage)
        : decodeRawImage(slot.latest.msg as Image);
    slot.decoded = { msg: slot.latest.msg, frame };
    return frame;
  }

  private requireLive(what: string): void {
    if (this.presenceState === 'idle' || this.presenceState === 'closed' || this.presenceState === 'error') {
      throw new RobotError(
        `cannot ${what}: the ROS robot is not connected`,
        'not_connected',
        'call connect() first',
      );
    }
    const age = this.lastJointAt ? performance.now() - this.lastJointAt : Number.POSITIVE_INFINITY;
    if (age > this.config.staleAfterMs) {
      const why = this.presenceState === 'reconnecting' ? `; reconnecting to ${this.config.url}` : '';
      throw new RobotError(
        `cannot ${what}: joint states on ${this.config.jointStateTopic} are stale (last ${Number.isFinite(age) ? `${Math.round(age)} ms` : 'never'} ago, limit ${this.config.staleAfterMs} ms)${why}`,
        'ros_stale',
        'the arm is being held; check the robot driver and the rosbridge connection',
      );
    }
  }

  async observe(): Promise<Observation> {
    this.requireLive('observe');
    const images: Record<string, CameraFrame> = {};
    for (const cam of this.config.cameras) {
      try {
        const f = this.decodeCamera(cam.name);
        if (f) images[cam.name] = f;
      } catch (e) {
        this.problem(e as Error);
      }
    }
    return { state: this.measuredState(), images, t: (performance.now() - this.connectedAt) / 1000 };
  }

  async act(target: number[]): Promise<void> {
    this.requireLive('act');
    if (target.length !== this.features.joints.length || !target.every(Number.isFinite)) {
      throw new RobotError(
        `act needs ${this.features.joints.length} finite targets, got [${target.join(', ')}]`,
        'bad_target',
      );
    }
    if (!this.conn?.ros.isConnected) {
      throw new RobotError(
        'cannot act: the rosbridge connection is down',
        'ros_disconnected',
        'wait for it to reconnect',
      );
    }
    this.sendCommand(target);
  }

  private header() {
    return { stamp: { sec: 0, nanosec: 0 }, frame_id: '' };
  }

  private trajectoryMsg(idx: number[], points: { rad: number[]; t: number }[]): JointTrajectory {
    return {
      header: this.header(),
      joint_names: idx.map((i) => this.rosNames[i]!),
      points: points.map((p) => ({
        positions: idx.map((i) => p.rad[i]!),
        velocities: [],
        accelerations: [],
        effort: [],
        time_from_start: secToTime(p.t),
      })),
    };
  }

  private sendCommand(target: number[]): void {
    const conn = this.conn;
    if (!conn) return;
    const rad = this.units.toRosVector(target);
    const all = this.rosNames.map((_, i) => i);
    const g = this.units.gripperJoint ? this.features.joints.indexOf(this.units.gripperJoint) : -1;
    const useGripperTopic = conn.gripperTopic !== null && g >= 0;
    const armIdx = useGripperTopic ? all.filter((i) => i !== g) : all;
    const cmd = this.config.command;
    if (cmd.kind === 'trajectory') {
      conn.commandTopic!.publish(this.trajectoryMsg(armIdx, [{ rad, t: (cmd.horizonMs ?? 100) / 1000 }]));
    } else if (cmd.kind === 'forward') {
      const order = cmd.joints ?? armIdx.map((i) => this.rosNames[i]!);
      conn.commandTopic!.publish({
        layout: { dim: [], data_offset: 0 },
        data: order.map((n) => rad[this.rosNames.indexOf(n)]!),
      });
    } else if (conn.action) {
      for (const id of this.goals) conn.action.cancelGoal(id);
      this.goals.clear();
      const id = conn.action.sendGoal(
        { trajectory: this.trajectoryMsg(armIdx, [{ rad, t: (cmd.horizonMs ?? 100) / 1000 }]) },
        () => this.goals.delete(id ?? ''),
        undefined,
        () => this.goals.delete(id ?? ''),
      );
      if (id) this.goals.add(id);
    }
    if (useGripperTopic) conn.gripperTopic!.publish({ layout: { dim: [], data_offset: 0 }, data: [rad[g]!] });
  }

  /**
   * Run a FollowJointTrajectory goal (robot units in, like act) and resolve with its result,
   * error codes included (-2 invalid joints, -4 path tolerance, -5 goal tolerance, ...).
   */
  followTrajectory(
    waypoints: TrajectoryWaypoint[],
    options: {
      goalToleranceRad?: number;
      pathToleranceRad?: number;
      onFeedback?: (f: FollowJointTrajectoryFeedback) => void;
    } = {},
  ): Promise<FollowResult> {
    this.requireLive('follow a trajectory');
    const action = this.conn?.action;
    if (!action) {
      return Promise.reject(
        new RobotError(
          'no FollowJointTrajectory action configured',
          'ros_config',
          'set followAction (or command.kind "action")',
        ),
      );
    }
    const idx = this.rosNames.map((_, i) => i);
    const tol = (v: number | undefined) =>
      v === undefined
        ? []
        : idx.map((i) => ({ name: this.rosNames[i]!, position: v, velocity: 0, acceleration: 0 }));
    const goal = {
      trajectory: this.trajectoryMsg(
        idx,
        waypoints.map((w) => ({ rad: this.units.toRosVector(w.positions), t: w.timeFromStartS })),
      ),
      path_tolerance: tol(options.pathToleranceRad),
      goal_tolerance: tol(options.goalToleranceRad),
      goal_time_tolerance: { sec: 0, nanosec: 0 },
    };
    return new Promise<FollowResult>((resolve) => {
      let id: string | undefined;
      const done = (r: FollowResult) => {
        if (id) this.goals.delete(id);
        resolve(r);
      };
      id = action.sendGoal(
        goal,
        (res) => {
          const r = res as Partial<FollowJointTrajectoryResult>;
          done({ status: 'succeeded', errorCode: r?.error_code ?? 0, errorString: r?.error_string ?? '' });
        },
        (fb) => options.onFeedback?.(fb as FollowJointTrajectoryFeedback),
        (err: string) => done(parseGoalFailure(err)),
      );
      if (id) this.goals.add(id);
    });
  }

  private callService<T>(name: string, type: string, request: object, timeoutMs = 3000): Promise<T> {
    const ros = this.conn?.ros;
    if (!ros?.isConnected) {
      return Promise.reject(
        new RobotError(`cannot call ${name}: not connected to rosbridge`, 'ros_disconnected'),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new RobotError(`service ${name} did not answer within ${timeoutMs} ms`, 'ros_timeout')),
        timeoutMs,
      );
      new Service<object, T>({ ros, name, serviceType: type }).callService(
        request,
        (res) => {
          clearTimeout(timer);
          resolve(res);
        },
        (err) => {
          clearTimeout(timer);
          reject(new RobotError(`service ${name} failed: ${err}`, 'ros_service'));
        },
      );
    });
  }

  private async trigger(name: string | undefined, what: string): Promise<TriggerResponse> {
    if (!name)
      throw new RobotError(`no ${what} service configured`, 'ros_config', `set ${what}Service in the config`);
    const res = await this.callService<TriggerResponse>(name, 'std_srvs/srv/Trigger', {});
    if (!res.success) throw new RobotError(`${name} answered failure: ${res.message}`, 'ros_service');
    return res;
  }

  /** Call the reset service (std_srvs/srv/Trigger); on the sim server it also clears an e-stop. */
  async reset(): Promise<TriggerResponse> {
    return this.trigger(this.config.resetService, 'reset');
  }

  async estop(): Promise<void> {
    const action = this.conn?.action;
    if (action) for (const id of this.goals) action.cancelGoal(id);
    this.goals.clear();
    if (this.config.estopService) {
      await this.trigger(this.config.estopService, 'estop');
    } else {
      this.hold();
    }
  }

  async torque(mode: TorqueMode): Promise<void> {
    if (mode === 'on') return;
    throw new RobotError(
      'rosbridge has no standard torque-off command',
      'ros_torque_unsupported',
      'use estop() to stop the arm, or switch torque off in the robot driver',
    );
  }

  /** Per-topic message counts, rates and header-stamp latency. */
  topicStats(): TopicStat[] {
    return this.stats.snapshot();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.staleTimer) clearInterval(this.staleTimer);
    this.staleTimer = null;
    this.teardown();
    this.setPresence('closed', 'closed by the application');
  }
}

/** roslib reports a non-succeeded goal as `Action was aborted: {json result}`. */
function parseGoalFailure(err: string): FollowResult {
  const status: FollowResult['status'] = /canceled/i.test(err)
    ? 'canceled'
    : /aborted/i.test(err)
      ? 'aborted'
      : 'failed';
  const json = err.indexOf('{');
  if (json >= 0) {
    try {
      const r = JSON.parse(err.slice(json)) as Partial<FollowJointTrajectoryResult>;
      return { status, errorCode: r.error_code ?? -1, errorString: r.error_string ?? err };
    } catch {
      /* fall through */
    }
  }
  return { status, errorCode: -1, errorString: err };
}
