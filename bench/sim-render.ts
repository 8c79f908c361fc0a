/**
 * Camera render time per frame on the arm scene: RayCamera (all pixel rays in one mj_multiRay call,
 * then shading in JS) against the baseline of one mj_ray call per pixel (ray casting only, no
 * shading), at 64x64 and 128x128, for the fixed 'front' camera and the 'wrist' camera.
 *
 *   npx tsx bench/sim-render.ts [--frames 100]
 */
import { cpus, loadavg } from 'node:os';
import { createTaskEnv, MujocoTaskEnv } from '../core/sim/env';
import { RayCamera } from '../core/sim/render/ray-camera';

const args = process.argv.slice(2);
const i = args.indexOf('--frames');
const FRAMES = i >= 0 ? Number(args[i + 1]) : 200;

const env = await createTaskEnv({ task: 'red_cube_in_bowl', cameras: false });
if (!(env instanceof MujocoTaskEnv)) throw new Error('expected the MuJoCo task env');
env.reset(3);
const { mujoco, model, data } = env.scene;

function timeRayCamera(name: string, size: number): number {
  const cam = new RayCamera(mujoco, model, name, size, size);
  for (let f = 0; f < 20; f++) cam.render(data);
  // Best of 5 batches: the machine is shared, slower batches measure the other jobs.
  let ms = Number.POSITIVE_INFINITY;
  const batch = Math.max(1, Math.floor(FRAMES / 5));
  for (let b = 0; b < 5; b++) {
    const t0 = performance.now();
    for (let f = 0; f < batch; f++) cam.render(data);
    ms = Math.min(ms, (performance.now() - t0) / batch);
  }
  cam.delete();
  return ms;
}

/** Baseline: the same rays cast one mj_ray call at a time (WASM boundary crossed per pixel). */
function timePerPixel(name: string, size: number): number {
  const id = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_CAMERA.value, name);
  const pos = Array.from((data.cam_xpos as Float64Array).subarray(3 * id, 3 * id + 3));
  const R = (data.cam_xmat as Float64Array).subarray(9 * id, 9 * id + 9);
  const tanHalf = Math.tan(((model.cam_fovy[id] as number) * Math.PI) / 360);
  const geomid = new mujoco.IntBuffer(1);
  const groups = new Uint8Array([1, 1, 1, 0, 0, 0]);
  const frames = Math.max(1, Math.floor(FRAMES / 10));
  const t0 = performance.now();
  for (let f = 0; f < frames; f++) {
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const x = ((c + 0.5 - size / 2) / (size / 2)) * tanHalf;
        const y = ((size / 2 - r - 0.5) / (size / 2)) * tanHalf;
        const v = [
          (R[0] as number) * x + (R[1] as number) * y - (R[2] as number),
          (R[3] as number) * x + (R[4] as number) * y - (R[5] as number),
          (R[6] as number) * x + (R[7] as number) * y - (R[8] as number),
        ];
        mujoco.mj_ray(model, data, pos, v, groups as unknown as number[], 1, -1, geomid);
      }
    }
  }
  const ms = (performance.now() - t0) / frames;
  geomid.delete();
  return ms;
}

const rows: string[][] = [];
for (const size of [64, 128]) {
  for (const name of ['front', 'wrist']) {
    const ours = timeRayCamera(name, size);
    const base = timePerPixel(name, size);
    rows.push([`${size}x${size}`, name, base.toFixed(1), ours.toFixed(2), (base / ours).toFixed(1)]);
  }
}
const ngeom = model.ngeom;
env.close();

console.log(
  `\nRender time per frame, arm scene red_cube_in_bowl (${ngeom} geoms); RayCamera: best of 5 batches of ${Math.max(1, Math.floor(FRAMES / 5))} frames`,
);
console.log(
  `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model}), load average ${loadavg()[0]?.toFixed(1)} at the end (other jobs share this machine)\n`,
);
const head = [
  'size',
  'camera',
  'baseline: mj_ray per pixel (ms)',
  'RayCamera: one mj_multiRay + shading (ms)',
  'speed-up',
];
const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((x, c) => x.padEnd(widths[c] ?? 0)).join(' | ')} |`;
console.log(line(head));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const r of rows) console.log(line(r));
