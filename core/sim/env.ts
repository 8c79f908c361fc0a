import type { CameraFrame, JointLimit } from '../hardware/robot';
import { ARM_JOINTS, ARM_LIMITS_RAD, FINGER_TRAVEL, sceneMjcf, TIMESTEP } from './arm-mjcf';
import { solveTopDownIk } from './kinematics';
import { getMujoco, loadMjcf, type Mujoco } from './mujoco';
import { RayCamera } from './render/ray-camera';
import { mulberry32 } from './rng';
import { Scene } from './scene';
import { type Layout, randomLayout, regionLayout } from './tasks/objects';
import { getTask, TASKS } from './tasks/suite';
import type { TaskDef } from './tasks/types';

export interface TaskEnvOptions {
  task: string;
  /** Camera image size, or false for no images (fastest). Default 64x64. */
  cameras?: { width: number; height: number } | false;
  /** Control rate (Hz); each step holds the action for 1/controlHz s of physics. Default 30. */
  controlHz?: number;
  /**
   * Place objects LIBERO-style: within ±layoutSpread metres of a fixed nominal scene (e.g. 0.025)
   * instead of anywhere in the workspace. Default: anywhere.
   */
  layoutSpread?: number;
}

export interface EnvObservation {
  /** 6 values: 5 arm joints in degrees, gripper 0 (closed) .. 100 (open). */
  state: number[];
  /** Camera frames: 'front' (fixed, looking at the table) and 'wrist' (on the gripper). */
  images: Record<string, CameraFrame>;
}

export interface StepInfo {
  /** Tool centre point (between the finger pads), world metres. */
  eePos: [number, number, number];
  gripper: number;
  /** World positions of the task's objects and fixtures (cubes, bowl, green_zone, button). */
  objects: Record<string, [number, number, number]>;
  /** Both fingers touch the same object. */
  graspContact: boolean;
  /** Objects touched by the gripper (palm or fingers) at the end of this step. */
  objectContacts: string[];
  /** Additive extra: yaw (rad) of each object about world z (experts align the gripper with it). */
  objectYaw?: Record<string, number>;
}

export interface EnvStep {
  obs: EnvObservation;
  success: boolean;
  info: StepInfo;
}

export interface StepOptions {
  /** Render the cameras for this step's observation (default true; false leaves `images` empty). */
  images?: boolean;
}

export interface TaskEnv {
  readonly taskId: string;
  readonly instruction: string;
  /** Step limit at this env's control rate (the task's 30 Hz limit scaled: same time budget). */
  readonly maxSteps: number;
  /** Same units as state. */
  readonly jointLimits: JointLimit[];
  reset(seed: number): EnvObservation;
  /** Joint targets (deg / 0..100) held for one control period (several physics substeps). */
  step(action: number[], opts?: StepOptions): EnvStep;
  /** The current observation, with camera frames. */
  observe(): EnvObservation;
  success(): boolean;
  info(): StepInfo;
  /** Frees MjModel/MjData. */
  close(): void;
}

export const CAMERA_NAMES = ['front', 'wrist'] as const;
export const DEFAULT_CAMERA_SIZE = { width: 64, height: 64 };
export const DEFAULT_CONTROL_HZ = 30;

/** Seed of the nominal scene that `layoutSpread` jitters around (apart from episode seeds' streams). */
const NOMINAL_SCENE_SEED = 0x5eed;
const RAD2DEG = 180 / Math.PI;
const DEG2RAD = Math.PI / 180;

/** Joint limits in state units: degrees for the arm, 0..100 for the gripper. */
export const SIM_JOINT_LIMITS: JointLimit[] = [
  ...ARM_LIMITS_RAD.map(([lo, hi]) => ({ min: lo * RAD2DEG, max: hi * RAD2DEG })),
  { min: 0, max: 100 },
];

/** Start pose: gripper open, pointing down, 14 cm above the table in front of the base. */
export const HOME_STATE: number[] = [
  ...(solveTopDownIk([0.17, 0, 0.14]) ?? [0, 0, 0, 0, 0]).map((v) => v * RAD2DEG),
  100,
];

export function listTasks(): { id: string; instruction: string; maxSteps: number }[] {
  return TASKS.map((t) => ({ id: t.id, instruction: t.instruction, maxSteps: t.maxSteps }));
}

export async function createTaskEnv(opts: TaskEnvOptions): Promise<TaskEnv> {
  const task = getTask(opts.task);
  return new MujocoTaskEnv(await getMujoco(), task, opts);
}

/** The MuJoCo scene XML of a task (arm + table + the task's objects). */
export const taskMjcf = (task: TaskDef): string => sceneMjcf({ name: task.id, worldBodies: task.worldXml });

export class MujocoTaskEnv implements TaskEnv {
  readonly taskId: string;
  readonly instruction: string;
  readonly maxSteps: number;
  readonly jointLimits = SIM_JOINT_LIMITS.map((l) => ({ ...l }));
  readonly scene: Scene;
  readonly substeps: number;
  readonly layoutSpread: number | undefined;
  private readonly cameras: RayCamera[] = [];
  private readonly armQposAdr: number[];
  private readonly fingerAdr: [number, number];
  private closed = false;
  private savedDrive: { gain: Float64Array; bias: Float64Array; gravcomp: Float64Array } | null = null;

  constructor(
    readonly mujoco: Mujoco,
    readonly task: TaskDef,
    opts: TaskEnvOptions,
  ) {
    this.taskId = task.id;
    this.instruction = task.instruction;
    const hz = opts.controlHz ?? DEFAULT_CONTROL_HZ;
    if (!Number.isFinite(hz) || hz <= 0 || hz > 1 / TIMESTEP) {
      throw new Error(`controlHz must be between 0 and ${1 / TIMESTEP} Hz, got ${hz}`);
    }
    // A task's step limit is a time budget: the listed value is at 30 Hz.
    this.maxSteps = Math.max(1, Math.round((task.maxSteps * hz) / DEFAULT_CONTROL_HZ));
    this.substeps = Math.max(1, Math.round(1 / (hz * TIMESTEP)));
    const spread = opts.layoutSpread;
    if (spread !== undefined && !(Number.isFinite(spread) && spread >= 0 && spread <= 0.1)) {
      throw new Error(
        `layoutSpread must be between 0 and 0.1 m (LIBERO's regions are about 0.025), got ${spread}`,
      );
    }
    this.layoutSpread = spread;
    const { model, data } = loadMjcf(mujoco, taskMjcf(task), task.id);
    this.scene = new Scene(mujoco, model, data);
    this.armQposAdr = ARM_JOINTS.map((j) => this.scene.qposAdr(j));
    this.fingerAdr = [this.scene.qposAdr('finger_left'), this.scene.qposAdr('finger_right')];
    const cam = opts.cameras === undefined ? DEFAULT_CAMERA_SIZE : opts.cameras;
    try {
      if (cam) {
        for (const name of CAMERA_NAMES)
          this.cameras.push(new RayCamera(mujoco, model, name, cam.width, cam.height));
      }
      this.reset(0);
    } catch (err) {
      this.close(); // e.g. a bad camera size: free the model before reporting
      throw err;
    }
  }

  /** Physics seconds per control step. */
  get controlPeriod(): number {
    return this.substeps * TIMESTEP;
  }

  reset(seed: number): EnvObservation {
    this.assertOpen();
    if (!Number.isFinite(seed)) throw new Error(`reset(seed): seed must be a finite number, got ${seed}`);
    const { mujoco, model, data } = this.scene;
    mujoco.mj_resetData(model, data);
    this.writePose(HOME_STATE);
    this.writeCtrl(HOME_STATE);
    this.task.place(this.scene, this.layout(seed));
    mujoco.mj_forward(model, data);
    this.scene.invalidate();
    return this.observe();
  }

  private layout(seed: number): Layout {
    const rng = mulberry32(seed);
    if (this.layoutSpread === undefined) return randomLayout(rng);
    return regionLayout(randomLayout(mulberry32(NOMINAL_SCENE_SEED)), rng, this.layoutSpread);
  }

  step(action: number[], opts: StepOptions = {}): EnvStep {
    this.assertOpen();
    this.writeCtrl(this.validate(action));
    const { mujoco, model, data } = this.scene;
    for (let i = 0; i < this.substeps; i++) mujoco.mj_step(model, data);
    this.scene.invalidate();
    return { obs: this.observe(opts.images ?? true), success: this.success(), info: this.info() };
  }

  success(): boolean {
    this.assertOpen();
    return this.task.success(this.scene);
  }

  info(): StepInfo {
    this.assertOpen();
    const objects: Record<string, [number, number, number]> = {};
    const objectYaw: Record<string, number> = {};
    for (const o of this.task.objects) {
      objects[o] = this.scene.bodyPos(o);
      objectYaw[o] = this.scene.bodyYaw(o);
    }
    return {
      eePos: this.scene.sitePos('tcp'),
      gripper: this.gripperState(),
      objects,
      graspContact: this.scene.graspedObject() !== null,
      objectContacts: this.scene.gripperContacts(),
      objectYaw,
    };
  }

  /** Current joint state (deg, gripper 0..100). */
  state(): number[] {
    const q = this.scene.data.qpos as Float64Array;
    return [...this.armQposAdr.map((a) => q[a]! * RAD2DEG), this.gripperState()];
  }

  observe(withImages = true): EnvObservation {
    const images: Record<string, CameraFrame> = {};
    if (withImages) for (const cam of this.cameras) images[cam.cameraName] = cam.render(this.scene.data);
    return { state: this.state(), images };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cam of this.cameras) cam.delete();
    this.scene.data.delete();
    this.scene.model.delete();
  }

  /** Whether the actuators drive the joints (false after `setTorque(false)`). */
  get torqueOn(): boolean {
    return this.savedDrive === null;
  }

  /**
   * Torque off makes the arm limp like an unpowered servo: actuator gains and the links' gravity
   * compensation are zeroed, so the arm sags under gravity until a joint limit or the gripper
   * meets the table. Torque on restores them; the caller should first aim the targets at the
   * current state so the arm does not jump.
   */
  setTorque(on: boolean): void {
    this.assertOpen();
    const m = this.scene.model;
    const gain = m.actuator_gainprm as Float64Array;
    const bias = m.actuator_biasprm as Float64Array;
    const gravcomp = m.body_gravcomp as Float64Array;
    if (!on && !this.savedDrive) {
      this.savedDrive = { gain: gain.slice(), bias: bias.slice(), gravcomp: gravcomp.slice() };
      for (let a = 0; a < m.nu; a++) {
        gain.fill(0, a * 10, a * 10 + 10);
        bias.fill(0, a * 10, a * 10 + 10);
      }
      gravcomp.fill(0);
    } else if (on && this.savedDrive) {
      gain.set(this.savedDrive.gain);
      bias.set(this.savedDrive.bias);
      gravcomp.set(this.savedDrive.gravcomp);
      this.savedDrive = null;
    }
  }

  /** Reject malformed actions; clamp finite ones to the joint limits. */
  validate(action: readonly number[]): number[] {
    if (!Array.isArray(action) || action.length !== this.jointLimits.length) {
      throw new Error(
        `Action must be ${this.jointLimits.length} joint targets (5 arm joints in degrees, gripper 0..100), got ${Array.isArray(action) ? `${action.length} values` : typeof action}`,
      );
    }
    return action.map((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new Error(`Action value ${i} is ${v}: every joint target must be a finite number`);
      }
      const l = this.jointLimits[i]!;
      return Math.min(l.max, Math.max(l.min, v));
    });
  }

  /** Mean finger opening as 0..100 (clamped: MuJoCo's soft joint limits let a finger overshoot by a hair). */
  private gripperState(): number {
    const q = this.scene.data.qpos as Float64Array;
    const g = ((q[this.fingerAdr[0]]! + q[this.fingerAdr[1]]!) / 2 / FINGER_TRAVEL) * 100;
    return Math.min(100, Math.max(0, g));
  }

  private writePose(state: readonly number[]): void {
    const q = this.scene.data.qpos as Float64Array;
    this.armQposAdr.forEach((a, i) => {
      q[a] = state[i]! * DEG2RAD;
    });
    const f = (state[5]! / 100) * FINGER_TRAVEL;
    q[this.fingerAdr[0]] = f;
    q[this.fingerAdr[1]] = f;
  }

  private writeCtrl(target: readonly number[]): void {
    const ctrl = this.scene.data.ctrl as Float64Array;
    for (let i = 0; i < 5; i++) ctrl[i] = target[i]! * DEG2RAD;
    const f = (target[5]! / 100) * FINGER_TRAVEL;
    ctrl[5] = f;
    ctrl[6] = f;
  }

  private assertOpen(): void {
    if (this.closed)
      throw new Error(`Task env "${this.taskId}" is closed; create a new one with createTaskEnv()`);
  }
}
