import { deflateSync } from 'node:zlib';
import * as jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeCompressedImage, decodeRawImage } from '../../../core/hardware/ros/image-decode';
import { decodePng, encodePng, packJsonInPng, unpackJsonFromPng } from '../../../core/hardware/ros/png';
import { JointUnits } from '../../../core/hardware/ros/units';
import { serializeCdr } from '../../../core/hardware/virtual/rosbridge/cdr';
import { checkTrajectory, sampleTrajectory } from '../../../core/hardware/virtual/rosbridge/trajectory';

const CRC = (() => {
  const t: number[] = [];
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t.push(c >>> 0);
  }
  return t;
})();
const crc = (b: Buffer) => {
  let c = 0xffffffff;
  for (const x of b) c = CRC[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(body));
  return Buffer.concat([len, body, c]);
}
/** A PNG written independently of core/: rows pre-filtered with the given filter types. */
function pngWith(
  width: number,
  height: number,
  colorType: number,
  bitDepth: number,
  rows: Buffer[],
  filters: number[],
  plte?: Buffer,
): Uint8Array {
  const bpp = Math.max(
    1,
    ((colorType === 2 ? 3 : colorType === 6 ? 4 : colorType === 4 ? 2 : 1) * bitDepth) >> 3,
  );
  const out: Buffer[] = [];
  rows.forEach((row, y) => {
    const prev = y > 0 ? rows[y - 1]! : Buffer.alloc(row.length);
    const f = filters[y % filters.length]!;
    const enc = Buffer.alloc(row.length);
    for (let x = 0; x < row.length; x++) {
      const a = x >= bpp ? row[x - bpp]! : 0;
      const b = prev[x]!;
      const c = x >= bpp ? prev[x - bpp]! : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a),
        pb = Math.abs(p - b),
        pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f]!;
      enc[x] = (row[x]! - pred) & 0xff;
    }
    out.push(Buffer.from([f]), enc);
  });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    ...(plte ? [chunk('PLTE', plte)] : []),
    chunk('IDAT', deflateSync(Buffer.concat(out))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('PNG codec', () => {
  it('decodes RGBA rows written with every filter type', () => {
    const w = 5;
    const h = 5;
    const rows = Array.from({ length: h }, (_, y) =>
      Buffer.from(Array.from({ length: w * 4 }, (_, i) => (i * 37 + y * 91) & 0xff)),
    );
    const img = decodePng(pngWith(w, h, 6, 8, rows, [0, 1, 2, 3, 4]));
    expect(img.width).toBe(w);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) expect(img.data[(y * w + x) * 3 + c]).toBe(rows[y]![x * 4 + c]);
      }
    }
  });

  it('decodes 16-bit gray and 1-bit palette images', () => {
    const gray = decodePng(pngWith(2, 1, 0, 16, [Buffer.from([0x12, 0x34, 0xff, 0x00])], [4]));
    expect([...gray.data]).toEqual([0x12, 0x12, 0x12, 0xff, 0xff, 0xff]);
    const pal = decodePng(
      pngWith(3, 1, 3, 1, [Buffer.from([0b10100000])], [0], Buffer.from([1, 2, 3, 200, 100, 50])),
    );
    expect([...pal.data]).toEqual([200, 100, 50, 1, 2, 3, 200, 100, 50]);
  });

  it('round-trips RGB and JSON-in-PNG, and refuses broken input with a reason', () => {
    const px = Uint8Array.from({ length: 7 * 3 * 3 }, (_, i) => (i * 13) & 0xff);
    expect([...decodePng(encodePng(7, 3, px)).data]).toEqual([...px]);
    const json = JSON.stringify({ op: 'publish', topic: '/a', msg: { data: 'é ✓' } });
    expect(unpackJsonFromPng(packJsonInPng(json))).toBe(json);
    expect(() => decodePng(Uint8Array.from([1, 2, 3]))).toThrow(/bad signature/);
    const good = encodePng(2, 2, new Uint8Array(12));
    expect(() => decodePng(good.slice(0, 40))).toThrow(/PNG/);
  });
});

describe('camera image decoding', () => {
  it('decodes JPEG compressed images to RGB', () => {
    const w = 16;
    const h = 8;
    const rgba = Buffer.alloc(w * h * 4, 0);
    for (let i = 0; i < w * h; i++) rgba.set([200, 40, 90, 255], i * 4);
    const jpg = jpeg.encode({ width: w, height: h, data: rgba }, 95).data;
    const frame = decodeCompressedImage({
      format: 'rgb8; jpeg compressed bgr8',
      data: Buffer.from(jpg).toString('base64'),
    });
    expect(frame).toMatchObject({ width: w, height: h });
    expect(Math.abs(frame.data[0]! - 200)).toBeLessThan(8);
    expect(Math.abs(frame.data[1]! - 40)).toBeLessThan(8);
    expect(Math.abs(frame.data[2]! - 90)).toBeLessThan(8);
  });

  it('decodes raw bgr8 (with row padding), mono8 and big-endian mono16', () => {
    const bgr = decodeRawImage({
      width: 2,
      height: 2,
      encoding: 'bgr8',
      step: 8,
      data: Uint8Array.from([1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0]),
    });
    expect([...bgr.data]).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10]);
    const mono = decodeRawImage({ width: 2, height: 1, encoding: 'mono8', step: 2, data: [9, 250] });
    expect([...mono.data]).toEqual([9, 9, 9, 250, 250, 250]);
    const m16 = decodeRawImage({
      width: 1,
      height: 1,
      encoding: 'mono16',
      is_bigendian: 1,
      step: 2,
      data: [0xab, 0xcd],
    });
    expect([...m16.data]).toEqual([0xab, 0xab, 0xab]);
    expect(() =>
      decodeRawImage({ width: 4, height: 4, encoding: 'rgb8', step: 12, data: new Uint8Array(10) }),
    ).toThrow(/too short/);
    expect(() => decodeRawImage({ width: 1, height: 1, encoding: 'yuv422', data: [] })).toThrow(
      /not supported/,
    );
  });
});

describe('units, trajectories, CDR', () => {
  const units = new JointUnits(['shoulder_pan', 'gripper']);

  it('maps degrees to radians and gripper 0..100 onto its radian range', () => {
    expect(units.toRad('shoulder_pan', 180)).toBeCloseTo(Math.PI, 12);
    expect(units.toRad('gripper', 0)).toBeCloseTo(-0.174533, 6);
    expect(units.toRad('gripper', 100)).toBeCloseTo(1.745329, 6);
    expect(units.fromRad('gripper', units.toRad('gripper', 37))).toBeCloseTo(37, 9);
  });

  it('validates and samples a trajectory linearly from the current target', () => {
    const bad = checkTrajectory({ joint_names: ['x'], points: [] }, ['shoulder_pan', 'gripper'], units);
    expect(bad).toMatchObject({ ok: false, code: -2 });
    const back = checkTrajectory(
      {
        joint_names: ['shoulder_pan'],
        points: [
          { positions: [1], time_from_start: { sec: 2, nanosec: 0 } },
          { positions: [0], time_from_start: { sec: 1, nanosec: 0 } },
        ],
      },
      ['shoulder_pan', 'gripper'],
      units,
    );
    expect(back).toMatchObject({ ok: false, code: -1, error: expect.stringMatching(/increase strictly/) });
    const ok = checkTrajectory(
      {
        joint_names: ['shoulder_pan'],
        points: [{ positions: [Math.PI / 2], time_from_start: { sec: 1, nanosec: 0 } }],
      },
      ['shoulder_pan', 'gripper'],
      units,
    );
    if (!ok.ok) throw new Error(ok.error);
    const plan = { ...ok.plan, start: [10, 50], startedAt: 1000 };
    expect(sampleTrajectory(plan, 1500)).toEqual({ target: [50, 50], finished: false });
    expect(sampleTrajectory(plan, 3000)).toEqual({ target: [90, 50], finished: true });
  });

  it('serializes a JointState as ROS 2 CDR', () => {
    const bytes = serializeCdr('sensor_msgs/msg/JointState', {
      header: { stamp: { sec: 1, nanosec: 2 }, frame_id: 'b' },
      name: ['j'],
      position: [1.5],
      velocity: [],
      effort: [],
    })!;
    const expected = Buffer.concat([
      Buffer.from([0, 1, 0, 0]),
      Buffer.from([1, 0, 0, 0, 2, 0, 0, 0]), // stamp
      Buffer.from([2, 0, 0, 0, 0x62, 0, 0, 0]), // "b\0" + pad
      Buffer.from([1, 0, 0, 0, 2, 0, 0, 0, 0x6a, 0, 0, 0]), // ["j"] + pad to 28
      Buffer.from([1, 0, 0, 0]), // position count at 28; the float64 at 32 is 8-aligned
      Buffer.from(new Float64Array([1.5]).buffer),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]), // empty velocity, effort
    ]);
    expect(Buffer.from(bytes).toString('hex')).toBe(expected.toString('hex'));
  });
});
