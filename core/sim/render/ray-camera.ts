/**
 * A headless camera that renders an MJCF `<camera>` by ray casting into the MuJoCo scene.
 *
 * Why ray casting rather than OpenGL: the simulator runs in Node worker threads, in tests, in CI
 * and on machines with no GPU or display, where MuJoCo's OpenGL renderer is not available. MuJoCo's
 * own `mj_multiRay` intersects rays with the exact collision geometry (boxes, capsules, meshes...),
 * so the image shows precisely what the physics simulates, and casting all W*H rays in one WASM call
 * keeps a 64x64 frame at a few milliseconds. Shading is deliberately simple and deterministic:
 * flat colour from the geom (or its material) times Lambert lighting from a fixed light plus a
 * headlight, with normals computed analytically from the hit geom's type and pose (estimated from
 * neighbouring hits for meshes and height fields), and a constant background for rays that miss.
 * The same state therefore always gives identical bytes, on every machine.
 */

import type { MainModule, MjData, MjModel } from 'mujoco-js';
import type { CameraFrame } from '../../hardware/robot';

export type MujocoModule = MainModule;

/** Colour of pixels whose ray hits nothing. */
export const BACKGROUND_RGB: readonly [number, number, number] = [178, 204, 230];

/** Geom groups 0..2 are visible; 3..5 hold collision-only or helper geoms (MuJoCo convention). */
const VISIBLE_GROUPS = new Uint8Array([1, 1, 1, 0, 0, 0]);
/** Unit vector towards the fixed key light (above, in front, to the left of the scene). */
const LIGHT = normalize([-0.35, -0.55, 1]);
const AMBIENT = 0.3;
const KEY = 0.55;
const HEAD = 0.25;
/** Rays longer than this (metres) count as misses. */
const CUTOFF = 1e4;

const GEOM_PLANE = 0;
const GEOM_SPHERE = 2;
const GEOM_CAPSULE = 3;
const GEOM_ELLIPSOID = 4;
const GEOM_CYLINDER = 5;
const GEOM_BOX = 6;

export class RayCamera {
  readonly cameraId: number;
  private readonly n: number;
  /** Ray directions in the camera frame (x right, y up, looking along -z), 3 per pixel. */
  private localDirs: Float64Array;
  /** Field of view the directions were computed for (the model's may be changed at run time). */
  private fovy: number;
  /** World-frame ray directions, rewritten on every render. */
  private readonly worldDirs: Float64Array;
  private readonly hits: Float64Array;
  private readonly normals: Float64Array;
  private readonly geomIds: InstanceType<MainModule['IntBuffer']>;
  private readonly dists: InstanceType<MainModule['DoubleBuffer']>;
  private deleted = false;

  constructor(
    private readonly mujoco: MujocoModule,
    private readonly model: MjModel,
    readonly cameraName: string,
    readonly width: number,
    readonly height: number,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new Error(
        `Camera "${cameraName}": width and height must be positive integers, got ${width}x${height}.`,
      );
    }
    const id = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_CAMERA.value, cameraName);
    if (id < 0) {
      const names: string[] = [];
      for (let i = 0; i < model.ncam; i++)
        names.push(mujoco.mj_id2name(model, mujoco.mjtObj.mjOBJ_CAMERA.value, i));
      const known = names.length
        ? `it has: ${names.map((s) => `"${s}"`).join(', ')}`
        : 'it has no <camera> elements';
      throw new Error(
        `Camera "${cameraName}" is not in the MuJoCo model (${known}). Add <camera name="${cameraName}" .../> to the MJCF or pick one of those names.`,
      );
    }
    this.cameraId = id;
    this.n = width * height;
    this.fovy = model.cam_fovy[id] as number;
    this.localDirs = pixelDirections(width, height, this.fovy);
    this.worldDirs = new Float64Array(3 * this.n);
    this.hits = new Float64Array(3 * this.n);
    this.normals = new Float64Array(3 * this.n);
    this.geomIds = new mujoco.IntBuffer(this.n);
    this.dists = new mujoco.DoubleBuffer(this.n);
  }

  /** Render the camera as the scene stands in `data` (after mj_forward / mj_step). */
  render(data: MjData): CameraFrame {
    if (this.deleted)
      throw new Error(`Camera "${this.cameraName}" was deleted; create a new RayCamera to render.`);
    const { model, mujoco, n } = this;
    const camPos = data.cam_xpos as Float64Array;
    const camMat = data.cam_xmat as Float64Array;
    const c = 3 * this.cameraId;
    const m9 = 9 * this.cameraId;
    const origin: [number, number, number] = [
      camPos[c] as number,
      camPos[c + 1] as number,
      camPos[c + 2] as number,
    ];
    const R = camMat.subarray(m9, m9 + 9);
    const fovy = model.cam_fovy[this.cameraId] as number;
    if (fovy !== this.fovy) {
      this.fovy = fovy;
      this.localDirs = pixelDirections(this.width, this.height, fovy);
    }
    rotateAll(R, this.localDirs, this.worldDirs);

    const restore = hideHiddenGroups(model);
    try {
      mujoco.mj_multiRay(
        model,
        data,
        origin,
        // The binding accepts a Float64Array here (its .d.ts says number[]).
        this.worldDirs as unknown as number[],
        VISIBLE_GROUPS,
        1,
        -1,
        this.geomIds,
        this.dists,
        n,
        CUTOFF,
      );
    } finally {
      restore();
    }
    // Views are taken after the call: WASM memory may have grown and detached older views.
    const geomIds = this.geomIds.GetView() as Int32Array;
    const dists = this.dists.GetView() as Float64Array;
    const dirs = this.worldDirs;
    const hits = this.hits;
    for (let i = 0; i < n; i++) {
      const t = dists[i] as number;
      const k = 3 * i;
      hits[k] = origin[0] + t * (dirs[k] as number);
      hits[k + 1] = origin[1] + t * (dirs[k + 1] as number);
      hits[k + 2] = origin[2] + t * (dirs[k + 2] as number);
    }
    this.computeNormals(data, geomIds);
    const colours = geomColours(model);
    return this.shade(geomIds, colours);
  }

  /** Free the WASM buffers. The camera cannot render afterwards. */
  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.geomIds.delete();
    this.dists.delete();
  }

  private computeNormals(data: MjData, geomIds: Int32Array): void {
    const { model, width, height, hits, normals, worldDirs } = this;
    const types = model.geom_type as Int32Array;
    const sizes = model.geom_size as Float64Array;
    const xpos = data.geom_xpos as Float64Array;
    const xmat = data.geom_xmat as Float64Array;
    const q = [0, 0, 0];
    const nl = [0, 0, 0];
    for (let i = 0; i < this.n; i++) {
      const g = geomIds[i] as number;
      if (g < 0) continue;
      const k = 3 * i;
      const gp = 3 * g;
      const gm = 9 * g;
      // Hit point in the geom's local frame: q = R^T (p - x).
      const px = (hits[k] as number) - (xpos[gp] as number);
      const py = (hits[k + 1] as number) - (xpos[gp + 1] as number);
      const pz = (hits[k + 2] as number) - (xpos[gp + 2] as number);
      for (let j = 0; j < 3; j++) {
        q[j] =
          (xmat[gm + j] as number) * px +
          (xmat[gm + 3 + j] as number) * py +
          (xmat[gm + 6 + j] as number) * pz;
      }
      const s0 = sizes[gp] as number;
      const s1 = sizes[gp + 1] as number;
      const s2 = sizes[gp + 2] as number;
      let analytic = true;
      switch (types[g]) {
        case GEOM_PLANE:
          set(nl, 0, 0, 1);
          break;
        case GEOM_SPHERE:
          set(nl, q[0] as number, q[1] as number, q[2] as number);
          break;
        case GEOM_ELLIPSOID:
          set(nl, (q[0] as number) / (s0 * s0), (q[1] as number) / (s1 * s1), (q[2] as number) / (s2 * s2));
          break;
        case GEOM_CAPSULE: {
          const z = Math.max(-s1, Math.min(s1, q[2] as number));
          set(nl, q[0] as number, q[1] as number, (q[2] as number) - z);
          break;
        }
        case GEOM_CYLINDER: {
          const r = Math.sqrt((q[0] as number) ** 2 + (q[1] as number) ** 2);
          const onCap = s1 - Math.abs(q[2] as number) < s0 - r;
          if (onCap) set(nl, 0, 0, Math.sign(q[2] as number) || 1);
          else set(nl, q[0] as number, q[1] as number, 0);
          break;
        }
        case GEOM_BOX: {
          const ax = Math.abs(q[0] as number) / s0;
          const ay = Math.abs(q[1] as number) / s1;
          const az = Math.abs(q[2] as number) / s2;
          if (ax >= ay && ax >= az) set(nl, Math.sign(q[0] as number), 0, 0);
          else if (ay >= az) set(nl, 0, Math.sign(q[1] as number), 0);
          else set(nl, 0, 0, Math.sign(q[2] as number));
          break;
        }
        default:
          analytic = false;
      }
      let nx: number;
      let ny: number;
      let nz: number;
      if (analytic) {
        const a = nl[0] as number;
        const b = nl[1] as number;
        const cz = nl[2] as number;
        nx = (xmat[gm] as number) * a + (xmat[gm + 1] as number) * b + (xmat[gm + 2] as number) * cz;
        ny = (xmat[gm + 3] as number) * a + (xmat[gm + 4] as number) * b + (xmat[gm + 5] as number) * cz;
        nz = (xmat[gm + 6] as number) * a + (xmat[gm + 7] as number) * b + (xmat[gm + 8] as number) * cz;
      } else {
        [nx, ny, nz] = neighbourNormal(i, width, height, geomIds, hits);
      }
      // Math.hypot is several times slower than sqrt in V8; this runs once per pixel.
      let len = Math.sqrt(nx * nx + ny * ny + nz * nz);
      if (!(len > 1e-12)) {
        // Degenerate (e.g. ray through a sphere centre): face the camera.
        nx = -(worldDirs[k] as number);
        ny = -(worldDirs[k + 1] as number);
        nz = -(worldDirs[k + 2] as number);
        len = 1; // ray directions are unit vectors
      }
      // Face the camera, so planes and shells seen from behind are lit like their front.
      const facing =
        nx * (worldDirs[k] as number) + ny * (worldDirs[k + 1] as number) + nz * (worldDirs[k + 2] as number);
      const sgn = facing > 0 ? -1 / len : 1 / len;
      normals[k] = nx * sgn;
      normals[k + 1] = ny * sgn;
      normals[k + 2] = nz * sgn;
    }
  }

  private shade(geomIds: Int32Array, colours: Float32Array): CameraFrame {
    const { n, normals, worldDirs } = this;
    const out = new Uint8Array(3 * n);
    const [lx, ly, lz] = LIGHT as [number, number, number];
    for (let i = 0; i < n; i++) {
      const k = 3 * i;
      const g = geomIds[i] as number;
      if (g < 0) {
        out[k] = BACKGROUND_RGB[0];
        out[k + 1] = BACKGROUND_RGB[1];
        out[k + 2] = BACKGROUND_RGB[2];
        continue;
      }
      const nx = normals[k] as number;
      const ny = normals[k + 1] as number;
      const nz = normals[k + 2] as number;
      const dx = worldDirs[k] as number;
      const dy = worldDirs[k + 1] as number;
      const dz = worldDirs[k + 2] as number;
      const key = Math.max(0, nx * lx + ny * ly + nz * lz);
      const head = Math.max(0, -(nx * dx + ny * dy + nz * dz)); // unit ray direction
      const light = AMBIENT + KEY * key + HEAD * head;
      const c = 3 * g;
      out[k] = toByte((colours[c] as number) * light);
      out[k + 1] = toByte((colours[c + 1] as number) * light);
      out[k + 2] = toByte((colours[c + 2] as number) * light);
    }
    return { width: this.width, height: this.height, data: out };
  }
}

/**
 * mujoco-js 0.0.7's mj_multiRay ignores its geomgroup argument (mj_ray honours it), so geoms in
 * groups 3..5 would show. mj_multiRay does skip geoms whose colour has alpha 0, so those geoms are
 * made transparent (and material-less) for the duration of the call, then restored.
 */
function hideHiddenGroups(model: MjModel): () => void {
  const group = model.geom_group as Int32Array;
  const rgba = model.geom_rgba as Float32Array;
  const matid = model.geom_matid as Int32Array;
  const saved: number[] = [];
  for (let g = 0; g < model.ngeom; g++) {
    if ((VISIBLE_GROUPS[Math.min(5, Math.max(0, group[g] as number))] as number) !== 0) continue;
    saved.push(g, rgba[4 * g + 3] as number, matid[g] as number);
    rgba[4 * g + 3] = 0;
    matid[g] = -1;
  }
  return () => {
    // Fresh views: WASM memory may have grown during the call, detaching the old ones.
    const rgba = model.geom_rgba as Float32Array;
    const matid = model.geom_matid as Int32Array;
    for (let i = 0; i < saved.length; i += 3) {
      const g = saved[i] as number;
      rgba[4 * g + 3] = saved[i + 1] as number;
      matid[g] = saved[i + 2] as number;
    }
  };
}

/**
 * Per-geom RGB in 0..1. MuJoCo's rule: a geom with a material shows the material's colour unless
 * the geom's own rgba was changed from the default (0.5, 0.5, 0.5, 1).
 */
function geomColours(model: MjModel): Float32Array {
  const rgba = model.geom_rgba as Float32Array;
  const matid = model.geom_matid as Int32Array;
  const matRgba = model.mat_rgba as Float32Array;
  const out = new Float32Array(3 * model.ngeom);
  for (let g = 0; g < model.ngeom; g++) {
    const r = 4 * g;
    const m = matid[g] as number;
    const isDefault = rgba[r] === 0.5 && rgba[r + 1] === 0.5 && rgba[r + 2] === 0.5 && rgba[r + 3] === 1;
    const src = m >= 0 && isDefault ? matRgba : rgba;
    const o = m >= 0 && isDefault ? 4 * m : r;
    out[3 * g] = src[o] as number;
    out[3 * g + 1] = src[o + 1] as number;
    out[3 * g + 2] = src[o + 2] as number;
  }
  return out;
}

/** Camera-frame ray direction through each pixel centre; row 0 is the top of the image. */
function pixelDirections(width: number, height: number, fovyDeg: number): Float64Array {
  const tanHalf = Math.tan((fovyDeg * Math.PI) / 360);
  const dirs = new Float64Array(3 * width * height);
  const half = height / 2;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const x = ((c + 0.5 - width / 2) / half) * tanHalf;
      const y = ((half - r - 0.5) / half) * tanHalf;
      const len = Math.hypot(x, y, 1);
      const k = 3 * (r * width + c);
      dirs[k] = x / len;
      dirs[k + 1] = y / len;
      dirs[k + 2] = -1 / len;
    }
  }
  return dirs;
}

function rotateAll(R: Float64Array, local: Float64Array, world: Float64Array): void {
  const r0 = R[0] as number;
  const r1 = R[1] as number;
  const r2 = R[2] as number;
  const r3 = R[3] as number;
  const r4 = R[4] as number;
  const r5 = R[5] as number;
  const r6 = R[6] as number;
  const r7 = R[7] as number;
  const r8 = R[8] as number;
  for (let k = 0; k < local.length; k += 3) {
    const x = local[k] as number;
    const y = local[k + 1] as number;
    const z = local[k + 2] as number;
    world[k] = r0 * x + r1 * y + r2 * z;
    world[k + 1] = r3 * x + r4 * y + r5 * z;
    world[k + 2] = r6 * x + r7 * y + r8 * z;
  }
}

/** Surface normal from the hit points of the neighbouring pixels on the same geom. */
function neighbourNormal(
  i: number,
  width: number,
  height: number,
  geomIds: Int32Array,
  hits: Float64Array,
): [number, number, number] {
  const row = Math.floor(i / width);
  const col = i - row * width;
  const g = geomIds[i];
  const pick = (a: number, b: number): number =>
    a >= 0 && geomIds[a] === g ? a : b >= 0 && geomIds[b] === g ? b : -1;
  const h = pick(col + 1 < width ? i + 1 : -1, col > 0 ? i - 1 : -1);
  const v = pick(row + 1 < height ? i + width : -1, row > 0 ? i - width : -1);
  if (h < 0 || v < 0) return [0, 0, 0];
  const k = 3 * i;
  const ax = (hits[3 * h] as number) - (hits[k] as number);
  const ay = (hits[3 * h + 1] as number) - (hits[k + 1] as number);
  const az = (hits[3 * h + 2] as number) - (hits[k + 2] as number);
  const bx = (hits[3 * v] as number) - (hits[k] as number);
  const by = (hits[3 * v + 1] as number) - (hits[k + 1] as number);
  const bz = (hits[3 * v + 2] as number) - (hits[k + 2] as number);
  return [ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx];
}

function set(v: number[], x: number, y: number, z: number): void {
  v[0] = x;
  v[1] = y;
  v[2] = z;
}

function normalize(v: [number, number, number]): [number, number, number] {
  const l = Math.hypot(...v);
  return [v[0] / l, v[1] / l, v[2] / l];
}

function toByte(x: number): number {
  return x >= 1 ? 255 : x <= 0 ? 0 : Math.round(x * 255);
}
