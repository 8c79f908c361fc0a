import { deflateSync } from 'node:zlib';
import type { CameraFrame } from '../../hardware/robot';

/** Encode an RGB camera frame as a PNG file (8-bit truecolour, no filtering), for inspection. */
export function encodePng(frame: CameraFrame): Buffer {
  const { width, height, data } = frame;
  if (data.length !== width * height * 3) {
    throw new Error(
      `PNG: frame data has ${data.length} bytes, expected ${width}x${height}x3 = ${width * height * 3}.`,
    );
  }
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let r = 0; r < height; r++) {
    raw[r * (width * 3 + 1)] = 0; // filter type: none
    raw.set(data.subarray(r * width * 3, (r + 1) * width * 3), r * (width * 3 + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, body: Buffer): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'ascii');
  body.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

let table: Uint32Array | undefined;

function crc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of bytes) crc = (table[(crc ^ b) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
