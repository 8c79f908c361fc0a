import * as jpeg from 'jpeg-js';
import { type CameraFrame, RobotError } from '../robot';
import { bytesOf, type CompressedImage, type Image } from './messages';
import { decodePng } from './png';

const isPng = (b: Uint8Array) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8;

/** sensor_msgs/msg/CompressedImage (jpeg or png, by format or by magic bytes) to an RGB frame. */
export function decodeCompressedImage(msg: Partial<CompressedImage>): CameraFrame {
  const bytes = bytesOf(msg.data);
  const format = String(msg.format ?? '').toLowerCase();
  if (isPng(bytes) || (!isJpeg(bytes) && format.includes('png'))) {
    const img = decodePng(bytes);
    return { width: img.width, height: img.height, data: img.data };
  }
  if (isJpeg(bytes) || format.includes('jpeg') || format.includes('jpg')) {
    try {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 256 });
      const data = img.data instanceof Uint8Array ? img.data : new Uint8Array(img.data);
      return { width: img.width, height: img.height, data };
    } catch (e) {
      throw new RobotError(`JPEG image does not decode: ${(e as Error).message}`, 'ros_image');
    }
  }
  throw new RobotError(
    `compressed image format ${JSON.stringify(msg.format)} is not supported`,
    'ros_image',
    'publish jpeg or png (image_transport "compressed"), or subscribe to the raw image topic',
  );
}

/** sensor_msgs/msg/Image (rgb8, bgr8, rgba8, bgra8, mono8, mono16) to an RGB frame. */
export function decodeRawImage(msg: Partial<Image>): CameraFrame {
  const width = Number(msg.width);
  const height = Number(msg.height);
  const encoding = String(msg.encoding ?? '').toLowerCase();
  const channels: Record<string, number> = {
    rgb8: 3,
    bgr8: 3,
    rgba8: 4,
    bgra8: 4,
    mono8: 1,
    '8uc1': 1,
    mono16: 2,
    '16uc1': 2,
  };
  const bpp = channels[encoding];
  if (bpp === undefined) {
    throw new RobotError(
      `raw image encoding ${JSON.stringify(msg.encoding)} is not supported`,
      'ros_image',
      'use rgb8, bgr8, rgba8, bgra8, mono8 or mono16',
    );
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RobotError(`raw image has an invalid size ${msg.width}x${msg.height}`, 'ros_image');
  }
  const step = Number(msg.step) || width * bpp;
  const src = bytesOf(msg.data);
  if (step < width * bpp || src.length < step * (height - 1) + width * bpp) {
    throw new RobotError(
      `raw image data is ${src.length} bytes, too short for ${width}x${height} ${encoding} (step ${step})`,
      'ros_image',
    );
  }
  const out = new Uint8Array(width * height * 3);
  const bigEndian = Number(msg.is_bigendian) === 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = y * step + x * bpp;
      const o = (y * width + x) * 3;
      if (bpp >= 3) {
        const bgr = encoding.startsWith('bgr');
        out[o] = src[bgr ? s + 2 : s]!;
        out[o + 1] = src[s + 1]!;
        out[o + 2] = src[bgr ? s : s + 2]!;
      } else {
        const g = bpp === 1 ? src[s]! : bigEndian ? src[s]! : src[s + 1]!;
        out[o] = g;
        out[o + 1] = g;
        out[o + 2] = g;
      }
    }
  }
  return { width, height, data: out };
}
