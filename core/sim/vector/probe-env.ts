/**
 * A deliberately small TaskEnv over a real MuJoCo scene (a 2-joint arm pushing a box, two ray-cast
 * cameras). VectorEnv's tests and benchmarks use it to exercise the worker protocol without the full
 * arm model: pass `factoryModule: PROBE_ENV_MODULE`. Task `probe` behaves normally; task
 * `probe-crash` kills its worker thread on the first step (to test crash handling).
 */
import { isMainThread } from 'node:worker_threads';
import loadMujoco, { type MainModule, type MjData, type MjModel } from 'mujoco-js';
import { mulberry32 } from '../../util/rng';
import { RayCamera } from '../render/ray-camera';
import type { EnvObservation, EnvStep, StepInfo, StepOptions, TaskEnv, TaskEnvOptions } from './contract';

export const PROBE_ENV_MODULE = new URL('./probe-env', import.meta.url).href;

const TIMESTEP = 0.002;
const DEG = 180 / Math.PI;
export const PROBE_SCENE_MJCF = `
<mujoco model="probe">
  <option timestep="${TIMESTEP}"/>
  <worldbody>
    <light pos="0 0 2" dir="0 0 -1"/>
    <geom name="floor" type="plane" size="1 1 0.1" rgba="0.5 0.45 0.4 1"/>
    <body name="link1" pos="0 0 0.05">
      <joint name="j1" type="hinge" axis="0 0 1" damping="0.5"/>
      <geom type="capsule" fromto="0 0 0 0.25 0 0" size="0.02" rgba="0.9 0.6 0.1 1"/>
      <body name="link2" pos="0.25 0 0">
        <joint name="j2" type="hinge" axis="0 0 1" damping="0.5"/>
        <geom type="capsule" fromto="0 0 0 0.2 0 0" size="0.02" rgba="0.9 0.6 0.1 1"/>
        <site name="tip" pos="0.2 0 0"/>
        <camera name="wrist" pos="0.2 0 0.05" xyaxes="0 1 0 -0.5 0 1" fovy="70"/>
      </body>
    </body>
    <body name="cube" pos="0.35 0.15 0.03">
      <freejoint/>
      <geom type="box" size="0.03 0.03 0.03" rgba="0.9 0.1 0.1 1"/>
    </body>
    <camera name="front" pos="0.2 -0.8 0.5" xyaxes="1 0 0 0 0.55 0.83" fovy="55"/>
  </worldbody>
  <actuator>
    <position joint="j1" kp="5"/>
    <position joint="j2" kp="5"/>
  </actuator>
</mujoco>`;

let mujocoPromise: Promise<MainModule> | undefined;
let fileCounter = 0;

class ProbeEnv implements TaskEnv {
  readonly instruction = 'push the red cube';
  readonly maxSteps = 100;
  readonly jointLimits = [
    { min: -180, max: 180 },
    { min: -180, max: 180 },
  ];
  private readonly cameras: RayCamera[] = [];
  private readonly substeps: number;
  private start: [number, number] = [0, 0];

  constructor(
    readonly taskId: string,
    private readonly mujoco: MainModule,
    private readonly model: MjModel,
    private readonly data: MjData,
    opts: TaskEnvOptions,
  ) {
    this.substeps = Math.max(1, Math.round(1 / ((opts.controlHz ?? 50) * TIMESTEP)));
    if (opts.cameras) {
      for (const name of ['front', 'wrist']) {
        this.cameras.push(new RayCamera(mujoco, model, name, opts.cameras.width, opts.cameras.height));
      }
    }
  }

  reset(seed: number): EnvObservation {
    const rng = mulberry32(seed);
    this.mujoco.mj_resetData(this.model, this.data);
    const qpos = this.data.qpos as Float64Array;
    qpos[0] = (rng() - 0.5) * 0.6;
    qpos[1] = (rng() - 0.5) * 0.6;
    this.start = [0.3 + 0.1 * rng(), 0.1 + 0.1 * rng()];
    qpos[2] = this.start[0];
    qpos[3] = this.start[1];
    (this.data.ctrl as Float64Array).set([qpos[0] as number, qpos[1] as number]);
    this.mujoco.mj_forward(this.model, this.data);
    return this.observe();
  }

  step(action: number[], opts: StepOptions = {}): EnvStep {
    if (this.taskId === 'probe-crash' && !isMainThread) process.exit(3);
    if (action.length !== 2 || action.some((a) => !Number.isFinite(a))) {
      throw new Error(`probe env expects 2 finite joint targets in degrees, got [${action.join(', ')}]`);
    }
    (this.data.ctrl as Float64Array).set(action.map((a) => a / DEG));
    for (let i = 0; i < this.substeps; i++) this.mujoco.mj_step(this.model, this.data);
    this.mujoco.mj_forward(this.model, this.data);
    return { obs: this.observe(opts.images ?? true), success: this.success(), info: this.info() };
  }

  success(): boolean {
    const q = this.data.qpos as Float64Array;
    return Math.hypot((q[2] as number) - this.start[0], (q[3] as number) - this.start[1]) > 0.05;
  }

  info(): StepInfo {
    const site = this.data.site_xpos as Float64Array;
    const q = this.data.qpos as Float64Array;
    return {
      eePos: [site[0] as number, site[1] as number, site[2] as number],
      gripper: 0,
      objects: { cube: [q[2] as number, q[3] as number, q[4] as number] },
      graspContact: false,
      objectContacts: [],
    };
  }

  close(): void {
    for (const c of this.cameras) c.delete();
    this.cameras.length = 0;
    this.data.delete();
    this.model.delete();
  }

  observe(withImages = true): EnvObservation {
    const q = this.data.qpos as Float64Array;
    const images: EnvObservation['images'] = {};
    if (withImages) for (const cam of this.cameras) images[cam.cameraName] = cam.render(this.data);
    return { state: [(q[0] as number) * DEG, (q[1] as number) * DEG], images };
  }
}

export async function createTaskEnv(opts: TaskEnvOptions): Promise<TaskEnv> {
  if (opts.task !== 'probe' && opts.task !== 'probe-crash') {
    throw new Error(`Unknown probe task "${opts.task}" (use "probe" or "probe-crash").`);
  }
  mujocoPromise ??= loadMujoco();
  const mujoco = await mujocoPromise;
  const path = `/probe-${fileCounter++}.xml`;
  mujoco.FS.writeFile(path, PROBE_SCENE_MJCF);
  const model = mujoco.MjModel.loadFromXML(path);
  mujoco.FS.unlink(path);
  const data = new mujoco.MjData(model);
  return new ProbeEnv(opts.task, mujoco, model, data, opts);
}
