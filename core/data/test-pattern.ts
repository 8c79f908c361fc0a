/** A synthetic camera: coloured squares moving over a grey background (tests, benches, demos). */
import type { CameraFrame } from '../hardware/robot';

const COLOURS: [number, number, number][] = [
  [220, 40, 40],
  [40, 200, 60],
  [40, 80, 230],
];

/** Frame `t` of the pattern; `seed` varies the motion per camera. Fills `out` when given. */
export function testPatternFrame(
  width: number,
  height: number,
  t: number,
  seed = 0,
  out?: Uint8Array,
): CameraFrame {
  const data = out ?? new Uint8Array(width * height * 3);
  data.fill(96);
  const size = Math.max(4, Math.round(Math.min(width, height) / 5));
  COLOURS.forEach(([r, g, b], k) => {
    const phase = t * 0.07 * (k + 1) + seed * 1.3 + k * 2.1;
    const x0 = Math.round(((Math.sin(phase) + 1) / 2) * (width - size));
    const y0 = Math.round(((Math.cos(phase * 0.8) + 1) / 2) * (height - size));
    for (let y = y0; y < y0 + size; y++) {
      let i = (y * width + x0) * 3;
      for (let x = 0; x < size; x++, i += 3) {
        data[i] = r;
        data[i + 1] = g;
        data[i + 2] = b;
      }
    }
  });
  return { width, height, data };
}
