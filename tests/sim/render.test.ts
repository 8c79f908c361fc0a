import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import loadMujoco, { type MjData, type MjModel } from 'mujoco-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraFrame } from '../../core/hardware/robot';
import { encodePng } from '../../core/hardware/ros/png';
import { BACKGROUND_RGB, type MujocoModule, RayCamera } from '../../core/sim/render/ray-camera';

// The camera at (0,-1,0.5) looks along +y at a red box on a slide joint (x) at (0,0,0.5).
// Between them: an alpha-0 box and a group-3 box, both of which must stay invisible.
const SCENE = `
<mujoco>
  <option gravity="0 0 0"/>
  <asset><material name="blue" rgba="0 0 1 1"/></asset>
  <worldbody>
    <geom name="floor" type="plane" size="0.3 0.3 0.1" rgba="0.4 0.4 0.4 1"/>
    <body name="target" pos="0 0 0.5">
      <joint name="slide" type="slide" axis="1 0 0"/>
      <geom name="red" type="box" size="0.15 0.15 0.15" rgba="1 0 0 1"/>
    </body>
    <geom name="ghost" type="box" pos="0 -0.5 0.5" size="0.05 0.05 0.05" rgba="0 1 0 0"/>
    <geom name="helper" type="box" pos="0 -0.6 0.5" size="0.05 0.05 0.05" rgba="0 1 0 1" group="3"/>
    <geom name="ball" type="sphere" pos="0.8 0.5 0.5" size="0.2" material="blue"/>
    <camera name="front" pos="0 -1 0.5" xyaxes="1 0 0 0 0 1" fovy="45"/>
    <camera name="side" pos="1.5 0.5 0.5" xyaxes="0 1 0 0 0 1" fovy="45"/>
  </worldbody>
</mujoco>`;

let mujoco: MujocoModule;
let model: MjModel;
let data: MjData;
let tmp: string;
const cameras: RayCamera[] = [];

function camera(name: string, w: number, h: number): RayCamera {
  const cam = new RayCamera(mujoco, model, name, w, h);
  cameras.push(cam);
  return cam;
}

function pixel(f: CameraFrame, row: number, col: number): [number, number, number] {
  const k = 3 * (row * f.width + col);
  return [f.data[k] as number, f.data[k + 1] as number, f.data[k + 2] as number];
}

const isRed = ([r, g, b]: number[]) => (r as number) > 100 && g === 0 && b === 0;

function setSlide(x: number): void {
  (data.qpos as Float64Array)[0] = x;
  mujoco.mj_forward(model, data);
}

beforeAll(async () => {
  mujoco = await loadMujoco();
  mujoco.FS.mkdir('/render-test');
  mujoco.FS.writeFile('/render-test/scene.xml', SCENE);
  model = mujoco.MjModel.loadFromXML('/render-test/scene.xml');
  data = new mujoco.MjData(model);
  mujoco.mj_forward(model, data);
  tmp = mkdtempSync(join(tmpdir(), 'pushcut-render-'));
});

afterAll(() => {
  for (const c of cameras) c.delete();
  data?.delete();
  model?.delete();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('RayCamera', () => {
  it('shows the red box in the centre and background in the corners', () => {
    const f = camera('front', 32, 24).render(data);
    expect(f.width).toBe(32);
    expect(f.height).toBe(24);
    expect(f.data.length).toBe(32 * 24 * 3);
    for (const [r, c] of [
      [12, 16],
      [11, 15],
      [13, 17],
    ] as const) {
      expect(isRed(pixel(f, r, c))).toBe(true);
    }
    for (const [r, c] of [
      [0, 0],
      [0, 31],
      [23, 0],
      [23, 31],
    ] as const) {
      expect(pixel(f, r, c)).toEqual([...BACKGROUND_RGB]);
    }
    // Row 0 is the top: below the box the camera sees the grey floor, above it the sky.
    const [fr, fg, fb] = pixel(f, 23, 16);
    expect(fr).toBe(fg);
    expect(fg).toBe(fb);
    expect(fr).toBeGreaterThan(40);
    expect(pixel(f, 0, 16)).toEqual([...BACKGROUND_RGB]);
  });

  it('renders a different image when the box moves, and the box where it went', () => {
    const cam = camera('front', 32, 24);
    setSlide(0);
    const before = cam.render(data);
    setSlide(0.25);
    const after = cam.render(data);
    setSlide(0);
    expect(Buffer.from(after.data).equals(Buffer.from(before.data))).toBe(false);
    // The box moved right (+x is image right for this camera): the left part of the old box is
    // background now, the right side of the image is red.
    expect(isRed(pixel(before, 12, 12))).toBe(true);
    expect(isRed(pixel(after, 12, 12))).toBe(false);
    expect(isRed(pixel(after, 12, 25))).toBe(true);
    expect(isRed(pixel(before, 12, 25))).toBe(false);
  });

  it('gives identical bytes for the same state, from the same and from a fresh camera', () => {
    setSlide(0.1);
    const a = camera('front', 40, 30).render(data);
    const b = camera('front', 40, 30).render(data);
    const c = cameras[cameras.length - 1]?.render(data);
    setSlide(0);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    expect(Buffer.from(a.data).equals(Buffer.from(c?.data ?? []))).toBe(true);
  });

  it('hides alpha-0 and group >= 3 geoms and leaves the model as it was', () => {
    const rgbaBefore = Array.from(model.geom_rgba as Float32Array);
    const matBefore = Array.from(model.geom_matid as Int32Array);
    const f = camera('front', 32, 24).render(data);
    // Both hidden boxes sit right in front of the camera, covering the centre pixels.
    expect(isRed(pixel(f, 12, 16))).toBe(true);
    expect(Array.from(model.geom_rgba as Float32Array)).toEqual(rgbaBefore);
    expect(Array.from(model.geom_matid as Int32Array)).toEqual(matBefore);
  });

  it('colours a geom from its material and shades it with a light (not flat)', () => {
    // The side camera looks along -x at the blue ball (material colour, default geom rgba).
    const f = camera('side', 48, 48).render(data);
    const ballPixels: number[] = [];
    for (let i = 0; i < 48 * 48; i++) {
      const [r, g, b] = [f.data[3 * i], f.data[3 * i + 1], f.data[3 * i + 2]] as number[];
      if (r === 0 && g === 0 && (b as number) > 0) ballPixels.push(b as number);
    }
    expect(ballPixels.length).toBeGreaterThan(50);
    expect(Math.max(...ballPixels) - Math.min(...ballPixels)).toBeGreaterThan(40);
  });

  it('follows a field-of-view change made to the model at run time', () => {
    const cam = camera('front', 32, 24);
    const id = mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_CAMERA.value, 'front');
    const fovy = model.cam_fovy as Float64Array;
    const wide = cam.render(data);
    fovy[id] = 20;
    const narrow = cam.render(data);
    fovy[id] = 45;
    const red = (f: CameraFrame) => {
      let n = 0;
      for (let i = 0; i < f.width * f.height; i++)
        if (isRed([f.data[3 * i], f.data[3 * i + 1], f.data[3 * i + 2]] as number[])) n++;
      return n;
    };
    // Zooming in makes the box cover more of the image.
    expect(red(narrow)).toBeGreaterThan(2 * red(wide));
    expect(Buffer.from(cam.render(data).data).equals(Buffer.from(wide.data))).toBe(true);
  });

  it('shades mesh geoms from neighbouring hits (two visible faces, two shades)', () => {
    const xml = `<mujoco><asset><mesh name="cube" vertex="-1 -1 -1 1 -1 -1 1 1 -1 -1 1 -1 -1 -1 1 1 -1 1 1 1 1 -1 1 1" scale="0.2 0.2 0.2"/></asset>
      <worldbody><geom type="mesh" mesh="cube" euler="0 0 45" rgba="0 1 0 1"/>
      <camera name="c" pos="0 -1.5 0" xyaxes="1 0 0 0 0 1" fovy="30"/></worldbody></mujoco>`;
    mujoco.FS.writeFile('/render-test/mesh.xml', xml);
    const m = mujoco.MjModel.loadFromXML('/render-test/mesh.xml');
    const d = new mujoco.MjData(m);
    try {
      mujoco.mj_forward(m, d);
      const cam = new RayCamera(mujoco, m, 'c', 32, 32);
      const f = cam.render(d);
      cam.delete();
      // The cube is turned 45 degrees: its left and right faces face the camera at different
      // angles to the light, so the mesh pixels fall into (at least) two distinct greens.
      const left = pixel(f, 16, 12);
      const right = pixel(f, 16, 20);
      expect(left[0]).toBe(0);
      expect(right[0]).toBe(0);
      expect(left[1]).toBeGreaterThan(50);
      expect(right[1]).toBeGreaterThan(50);
      expect(Math.abs(left[1] - right[1])).toBeGreaterThan(10);
    } finally {
      d.delete();
      m.delete();
    }
  });

  it('says which cameras exist when the name is unknown', () => {
    expect(() => new RayCamera(mujoco, model, 'wrist', 8, 8)).toThrow(/"wrist".*"front", "side"/);
  });

  it('rejects renders after delete()', () => {
    const cam = new RayCamera(mujoco, model, 'front', 4, 4);
    cam.delete();
    expect(() => cam.render(data)).toThrow(/deleted/);
  });

  it('encodes a frame as a PNG whose pixels decode back to the frame', () => {
    const f = camera('front', 64, 48).render(data);
    const png = Buffer.from(encodePng(f.width, f.height, f.data));
    writeFileSync(join(tmp, 'front.png'), png);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // Concatenate IDAT chunks, inflate, strip the per-row filter byte.
    const idat: Buffer[] = [];
    for (let off = 8; off < png.length; ) {
      const len = png.readUInt32BE(off);
      if (png.toString('ascii', off + 4, off + 8) === 'IDAT') idat.push(png.subarray(off + 8, off + 8 + len));
      off += 12 + len;
    }
    const raw = inflateSync(Buffer.concat(idat));
    const rows: Buffer[] = [];
    for (let r = 0; r < 48; r++) rows.push(raw.subarray(r * 193 + 1, (r + 1) * 193));
    expect(Buffer.concat(rows).equals(Buffer.from(f.data))).toBe(true);
  });
});
