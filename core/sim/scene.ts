import type { MjData, MjModel, Mujoco } from './mujoco';

type Vec3 = [number, number, number];

const GRIPPER_GEOMS = ['palm', 'finger_left', 'finger_right'] as const;

/** Name lookups and state access over one loaded MuJoCo scene (arm + task objects). */
export class Scene {
  private readonly bodyIds = new Map<string, number>();
  private readonly siteIds = new Map<string, number>();
  private readonly jointQposAdr = new Map<string, number>();
  /** For every geom: the name of its top-level body (the "object" it belongs to), or null. */
  private readonly geomObject: (string | null)[] = [];
  private readonly fingerLeft: number;
  private readonly fingerRight: number;
  private readonly gripperGeoms: Set<number>;
  private contactCache: { touched: Set<string>; left: Set<string>; right: Set<string> } | null = null;

  constructor(
    readonly mujoco: Mujoco,
    readonly model: MjModel,
    readonly data: MjData,
  ) {
    const obj = mujoco.mjtObj;
    for (let g = 0; g < model.ngeom; g++) {
      const body = model.geom_bodyid[g] as number;
      const root = model.body_rootid[body] as number;
      this.geomObject.push(root === 0 ? null : mujoco.mj_id2name(model, obj.mjOBJ_BODY.value, root) || null);
    }
    const geomId = (n: string) => mujoco.mj_name2id(model, obj.mjOBJ_GEOM.value, n);
    this.fingerLeft = geomId('finger_left');
    this.fingerRight = geomId('finger_right');
    this.gripperGeoms = new Set(GRIPPER_GEOMS.map(geomId));
  }

  bodyId(name: string): number {
    let id = this.bodyIds.get(name);
    if (id === undefined) {
      id = this.mujoco.mj_name2id(this.model, this.mujoco.mjtObj.mjOBJ_BODY.value, name);
      if (id < 0) throw new Error(`Scene has no body named "${name}"`);
      this.bodyIds.set(name, id);
    }
    return id;
  }

  qposAdr(joint: string): number {
    let adr = this.jointQposAdr.get(joint);
    if (adr === undefined) {
      const id = this.mujoco.mj_name2id(this.model, this.mujoco.mjtObj.mjOBJ_JOINT.value, joint);
      if (id < 0) throw new Error(`Scene has no joint named "${joint}"`);
      adr = this.model.jnt_qposadr[id] as number;
      this.jointQposAdr.set(joint, adr);
    }
    return adr;
  }

  jointPos(joint: string): number {
    return this.data.qpos[this.qposAdr(joint)] as number;
  }

  /** World position of a body (valid after mj_forward / mj_step). */
  bodyPos(name: string): Vec3 {
    const i = 3 * this.bodyId(name);
    const x = this.data.xpos as Float64Array;
    return [x[i]!, x[i + 1]!, x[i + 2]!];
  }

  /** Yaw (rad) of a body about world z. */
  bodyYaw(name: string): number {
    const i = 9 * this.bodyId(name);
    const m = this.data.xmat as Float64Array;
    return Math.atan2(m[i + 3]!, m[i]!);
  }

  /** Place a body with a free joint named like the body, at rest. */
  setFreeBody(name: string, pos: Vec3, yaw: number): void {
    const adr = this.qposAdr(name);
    const q = this.data.qpos as Float64Array;
    q.set([pos[0], pos[1], pos[2], Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)], adr);
  }

  /** Place a mocap (fixed, randomly positioned) body. */
  setMocap(name: string, pos: Vec3): void {
    const mocapId = this.model.body_mocapid[this.bodyId(name)] as number;
    if (mocapId < 0) throw new Error(`Body "${name}" is not a mocap body`);
    (this.data.mocap_pos as Float64Array).set(pos, 3 * mocapId);
  }

  sitePos(name: string): Vec3 {
    let id = this.siteIds.get(name);
    if (id === undefined) {
      id = this.mujoco.mj_name2id(this.model, this.mujoco.mjtObj.mjOBJ_SITE.value, name);
      if (id < 0) throw new Error(`Scene has no site named "${name}"`);
      this.siteIds.set(name, id);
    }
    const x = this.data.site_xpos as Float64Array;
    return [x[3 * id]!, x[3 * id + 1]!, x[3 * id + 2]!];
  }

  /** Forget cached contacts; call after every physics step. */
  invalidate(): void {
    this.contactCache = null;
  }

  private contacts(): { touched: Set<string>; left: Set<string>; right: Set<string> } {
    if (this.contactCache) return this.contactCache;
    const touched = new Set<string>();
    const left = new Set<string>();
    const right = new Set<string>();
    const n = this.data.ncon;
    // `data.contact` is a fresh C++ copy of the contact vector on every read: free it, or the
    // WASM heap grows by kilobytes per step until MuJoCo cannot allocate a model any more.
    const list = this.data.contact;
    try {
      for (let i = 0; i < n; i++) {
        const c = list.get(i);
        if (!c) continue;
        const g1 = c.geom1;
        const g2 = c.geom2;
        c.delete();
        for (const [mine, other] of [
          [g1, g2],
          [g2, g1],
        ] as const) {
          if (!this.gripperGeoms.has(mine)) continue;
          const objName = this.geomObject[other];
          if (!objName || objName === 'base') continue;
          touched.add(objName);
          if (mine === this.fingerLeft) left.add(objName);
          if (mine === this.fingerRight) right.add(objName);
        }
      }
    } finally {
      list.delete();
    }
    this.contactCache = { touched, left, right };
    return this.contactCache;
  }

  /** Objects (top-level bodies) the gripper's palm or fingers touch now. */
  gripperContacts(): string[] {
    return [...this.contacts().touched].sort();
  }

  /** The object both fingers touch now (a grasp), or null. */
  graspedObject(): string | null {
    const { left, right } = this.contacts();
    for (const o of left) if (right.has(o)) return o;
    return null;
  }

  touchedByGripper(object: string): boolean {
    return this.contacts().touched.has(object);
  }
}
