import type { EnvObservation, MujocoTaskEnv, StepInfo, TaskEnv } from '../../sim/env';
import {
  CAMERA_NAMES,
  createTaskEnv,
  DEFAULT_CAMERA_SIZE,
  DEFAULT_CONTROL_HZ,
  HOME_STATE,
  SIM_JOINT_LIMITS,
} from '../../sim/env';
import { getTask } from '../../sim/tasks/suite';
import {
  type CameraFrame,
  type Observation,
  type Robot,
  RobotError,
  type RobotFeatures,
  SO101_JOINTS,
  type TorqueMode,
} from '../robot';

export interface SimRobotOptions {
  /** Task whose scene is loaded (see listTasks()). Default `lift_red_cube`. */
  task?: string;
  /** Camera image size, or false for no cameras. Default 64x64 front + wrist. */
  cameras?: { width: number; height: number } | false;
  /** Physics is advanced one control period per tick at this rate. Default 30 Hz. */
  controlHz?: number;
  /** Seed of the scene layout on connect. Default 0. */
  seed?: number;
  /** Objects within this many metres of one nominal scene (LIBERO-style). Default: anywhere. */
  layoutSpread?: number;
}

export const SIM_ROBOT_TYPE = 'so101_sim';

/**
 * The embedded MuJoCo SO-101 as a Robot. After `connect()` a background loop steps the physics
 * in real time at the control rate, always toward the last commanded target.
 * - `torque('off')`: the arm goes limp (no actuator force, no gravity compensation) and sags;
 *   `torque('on')` re-engages holding the pose it is in.
 * - `estop()`: holds the current position (the target becomes the measured state).
 * Callers are expected to go through the SafetyLayer; the robot itself still rejects malformed
 * targets and clamps to the joint limits.
 */
export class SimRobot implements Robot {
  readonly backend = 'sim';
  readonly features: RobotFeatures;
  private env: TaskEnv | null = null;
  private timer: NodeJS.Timeout | null = null;
  private target: number[] = [...HOME_STATE];
  private latest: { obs: EnvObservation; info: StepInfo; success: boolean } | null = null;
  private startedAt = 0;
  private failure: Error | null = null;
  private taskId: string;
  private seed: number;
  private torqueOn = true;

  constructor(private readonly options: SimRobotOptions = {}) {
    this.taskId = options.task ?? 'lift_red_cube';
    this.seed = options.seed ?? 0;
    const cam = options.cameras === undefined ? DEFAULT_CAMERA_SIZE : options.cameras;
    this.features = {
      joints: [...SO101_JOINTS],
      limits: SIM_JOINT_LIMITS.map((l) => ({ ...l })),
      cameras: cam ? CAMERA_NAMES.map((name) => ({ name, width: cam.width, height: cam.height })) : [],
      robotType: SIM_ROBOT_TYPE,
    };
  }

  get connected(): boolean {
    return this.env !== null;
  }

  /** Task loaded now, its instruction, and whether the scene currently satisfies it. */
  get task(): { id: string; instruction: string; success: boolean } {
    return {
      id: this.taskId,
      instruction: this.env?.instruction ?? '',
      success: this.latest?.success ?? false,
    };
  }

  /** Scene facts of the latest tick (end-effector, objects, contacts); null before connect. */
  get info(): StepInfo | null {
    return this.latest?.info ?? null;
  }

  /** The task environment under the robot (null before connect). */
  get taskEnv(): TaskEnv | null {
    return this.env;
  }

  async connect(): Promise<void> {
    if (this.env) return;
    await this.load(this.taskId);
    this.startedAt = performance.now();
    // Tick at the physics time one step covers (8 x 4 ms at 30 Hz), so simulated time runs at wall-clock rate.
    const period =
      (this.env as MujocoTaskEnv | null)?.controlPeriod ?? 1 / (this.options.controlHz ?? DEFAULT_CONTROL_HZ);
    this.timer = setInterval(() => this.tick(), period * 1000);
  }

  async observe(): Promise<Observation> {
    const env = this.requireEnv();
    const obs = this.latest?.obs ?? env.reset(this.seed);
    const images: Record<string, CameraFrame> = { ...obs.images };
    return { state: [...obs.state], images, t: (performance.now() - this.startedAt) / 1000 };
  }

  async act(target: number[]): Promise<void> {
    const env = this.requireEnv();
    if (!Array.isArray(target) || target.length !== SO101_JOINTS.length) {
      throw new RobotError(
        `Simulated arm needs ${SO101_JOINTS.length} joint targets, got ${Array.isArray(target) ? target.length : typeof target}`,
        'bad_target',
        `send one value per joint in the order ${SO101_JOINTS.join(', ')}`,
      );
    }
    const bad = target.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad >= 0) {
      throw new RobotError(
        `Joint ${SO101_JOINTS[bad]} target is ${target[bad]}, not a finite number`,
        'bad_target',
        'check the command source (policy output, teleop mapping)',
      );
    }
    this.target = target.map((v, i) =>
      Math.min(env.jointLimits[i]!.max, Math.max(env.jointLimits[i]!.min, v)),
    );
  }

  async torque(mode: TorqueMode): Promise<void> {
    const env = this.requireEnv();
    const on = mode === 'on';
    if (on) this.target = this.currentState();
    (env as MujocoTaskEnv).setTorque?.(on);
    this.torqueOn = on;
  }

  async estop(): Promise<void> {
    this.requireEnv();
    // Arm joints hold where they are; the gripper keeps its command so a held object is not dropped.
    this.target = [...this.currentState().slice(0, 5), this.target[5]!];
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.env?.close();
    this.env = null;
    this.latest = null;
  }

  /** Re-place the task's objects from `seed` and put the arm back at its start pose. */
  async reset(seed = this.seed): Promise<Observation> {
    const env = this.requireEnv();
    this.seed = seed;
    const obs = env.reset(seed);
    this.target = [...HOME_STATE];
    this.latest = { obs, info: env.info(), success: env.success() };
    return this.observe();
  }

  /** Load another task's scene (the arm restarts at home); works connected or not. */
  async setTask(taskId: string, seed = this.seed): Promise<void> {
    const wasConnected = this.env !== null;
    if (!wasConnected) {
      getTask(taskId); // throws, listing the valid ids
      this.taskId = taskId;
      return;
    }
    this.seed = seed;
    await this.load(taskId);
  }

  private async load(taskId: string): Promise<void> {
    const env = await createTaskEnv({
      task: taskId,
      cameras: this.options.cameras,
      controlHz: this.options.controlHz,
      layoutSpread: this.options.layoutSpread,
    });
    const old = this.env;
    this.env = env;
    this.taskId = taskId;
    old?.close();
    if (!this.torqueOn) (env as MujocoTaskEnv).setTorque?.(false);
    const obs = env.reset(this.seed);
    this.target = [...HOME_STATE];
    this.latest = { obs, info: env.info(), success: env.success() };
    this.failure = null;
  }

  private tick(): void {
    const env = this.env;
    if (!env || this.failure) return;
    try {
      const step = env.step(this.target);
      this.latest = { obs: step.obs, info: step.info, success: step.success };
    } catch (err) {
      this.failure = err as Error;
    }
  }

  private currentState(): number[] {
    return [...(this.latest?.obs.state ?? this.target)];
  }

  private requireEnv(): TaskEnv {
    if (this.failure) {
      throw new RobotError(
        `Simulation stopped: ${this.failure.message}`,
        'sim_failed',
        'reconnect the simulated arm',
      );
    }
    if (!this.env)
      throw new RobotError('Simulated arm is not connected', 'not_connected', 'call connect() first');
    return this.env;
  }
}
