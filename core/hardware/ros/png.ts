import { deflateSync, inflateSync } from 'node:zlib';
import { crc32 } from '../../util/crc32';

/**
 * A small PNG codec (zlib from node:zlib): decodes the PNGs a ROS camera sends (gray, gray+alpha,
 * RGB, RGBA, palette; 1..16 bits; not interlaced) to RGB, encodes RGB, and packs a JSON string
 * into a PNG the way rosbridge's `png` compression does.
 */

const SIGNATURE = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);
/** Refuse images bigger than this (a PNG bomb would otherwise allocate gigabytes). */
const MAX_PIXELS = 64 * 1024 * 1024;

export class PngError extends Error {
  constructor(message: string) {
    super(`PNG: ${message}`);
    this.name = 'PngError';
  }
}

export interface RgbImage {
  width: number;
  height: number;
  /** RGB, 3 bytes per pixel, row-major, no padding. */
  data: Uint8Array;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encode 8-bit RGB (channels 3) or gray (channels 1) pixels as a PNG. */
export function encodePng(
  width: number,
  height: number,
  pixels: Uint8Array,
  channels: 1 | 3 = 3,
): Uint8Array {
  if (pixels.length !== width * height * channels) {
    throw new PngError(
      `expected ${width * height * channels} bytes for ${width}x${height}, got ${pixels.length}`,
    );
  }
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = channels === 3 ? 2 : 0;
  const idat = deflateSync(raw, { level: 6 });
  const parts = [
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', new Uint8Array(idat.buffer, idat.byteOffset, idat.length)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Decode a PNG to 8-bit RGB (alpha dropped, 16-bit reduced to its high byte). */
export function decodePng(bytes: Uint8Array): RgbImage {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b))
    throw new PngError('not a PNG (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let pos = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = -1;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  while (pos + 8 <= bytes.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const start = pos + 8;
    if (start + len + 4 > bytes.length) throw new PngError(`chunk ${type} runs past the end of the data`);
    const data = bytes.subarray(start, start + len);
    if (type === 'IHDR') {
      if (len < 13) throw new PngError('IHDR too short');
      width = view.getUint32(start);
      height = view.getUint32(start + 4);
      bitDepth = bytes[start + 8]!;
      colorType = bytes[start + 9]!;
      if (bytes[start + 12] !== 0) throw new PngError('interlaced PNGs are not supported');
    } else if (type === 'PLTE') {
      palette = data;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    pos = start + len + 4;
  }
  const channels = CHANNELS[colorType];
  if (channels === undefined) throw new PngError(`missing IHDR or unknown color type ${colorType}`);
  if (![1, 2, 4, 8, 16].includes(bitDepth)) throw new PngError(`bit depth ${bitDepth} is not valid`);
  if (width === 0 || height === 0 || width * height > MAX_PIXELS) {
    throw new PngError(`image size ${width}x${height} is empty or too large`);
  }
  if (colorType === 3 && !palette) throw new PngError('palette image without PLTE chunk');
  if (idat.length === 0) throw new PngError('no image data (IDAT)');
  const bitsPerPixel = channels * bitDepth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: (stride + 1) * height + 1024 });
  } catch (e) {
    throw new PngError(`image data does not inflate: ${(e as Error).message}`);
  }
  if (raw.length < (stride + 1) * height) throw new PngError('image data is truncated');
  const px = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[row + x - bpp]! : 0;
      const b = y > 0 ? px[prev + x]! : 0;
      const c = x >= bpp && y > 0 ? px[prev + x - bpp]! : 0;
      const r = raw[src + x]!;
      let v: number;
      switch (filter) {
        case 0:
          v = r;
          break;
        case 1:
          v = r + a;
          break;
        case 2:
          v = r + b;
          break;
        case 3:
          v = r + ((a + b) >> 1);
          break;
        case 4:
          v = r + paeth(a, b, c);
          break;
        default:
          throw new PngError(`unknown row filter ${filter}`);
      }
      px[row + x] = v & 0xff;
    }
  }
  const out = new Uint8Array(width * height * 3);
  const sample = (rowStart: number, index: number): number => {
    if (bitDepth === 8) return px[rowStart + index]!;
    if (bitDepth === 16) return px[rowStart + index * 2]!;
    const bit = index * bitDepth;
    const byte = px[rowStart + (bit >> 3)]!;
    return (byte >> (8 - bitDepth - (bit & 7))) & ((1 << bitDepth) - 1);
  };
  const scale = bitDepth < 8 ? 255 / ((1 << bitDepth) - 1) : 1;
  for (let y = 0; y < height; y++) {
    const rs = y * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (colorType === 3) {
        const i = sample(rs, x) * 3;
        out[o] = palette![i] ?? 0;
        out[o + 1] = palette![i + 1] ?? 0;
        out[o + 2] = palette![i + 2] ?? 0;
      } else if (channels <= 2) {
        const g = Math.round(sample(rs, x * channels) * scale);
        out[o] = g;
        out[o + 1] = g;
        out[o + 2] = g;
      } else {
        out[o] = sample(rs, x * channels);
        out[o + 1] = sample(rs, x * channels + 1);
        out[o + 2] = sample(rs, x * channels + 2);
      }
    }
  }
  return { width, height, data: out };
}

/**
 * rosbridge `png` compression: the JSON text as the bytes of an RGB PNG (padded with newlines,
 * which JSON ignores), base64-encoded.
 */
export function packJsonInPng(json: string): string {
  const bytes = new TextEncoder().encode(json);
  const width = Math.max(1, Math.floor(Math.sqrt(bytes.length / 3)));
  const height = Math.max(1, Math.ceil(bytes.length / 3 / width));
  const padded = new Uint8Array(width * height * 3).fill(10);
  padded.set(bytes);
  return Buffer.from(encodePng(width, height, padded, 3)).toString('base64');
}

/** Inverse of packJsonInPng: the JSON text inside a base64 PNG. */
export function unpackJsonFromPng(base64: string): string {
  const img = decodePng(new Uint8Array(Buffer.from(base64, 'base64')));
  return new TextDecoder().decode(img.data).replace(/[\n\0]+$/, '');
}
