import { useEffect, useRef } from 'react';
import type { CameraImage } from '../stores/studio-store';

/** A live camera feed: RGB frames drawn onto a canvas, scaled up without smoothing. */
export function CameraView({ name, image }: { name: string; image: CameraImage | undefined }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c || !image) return;
    c.width = image.width;
    c.height = image.height;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const rgba = new Uint8ClampedArray(image.width * image.height * 4);
    for (let p = 0, q = 0; p < image.rgb.length; p += 3, q += 4) {
      rgba[q] = image.rgb[p]!;
      rgba[q + 1] = image.rgb[p + 1]!;
      rgba[q + 2] = image.rgb[p + 2]!;
      rgba[q + 3] = 255;
    }
    ctx.putImageData(new ImageData(rgba, image.width, image.height), 0, 0);
  }, [image]);
  return (
    <figure className="camera">
      <canvas ref={canvas} data-testid={`camera-${name}`} aria-label={`${name} camera`} />
      <figcaption>
        {image ? `${name} · ${image.width}×${image.height}` : `${name} · waiting for frames`}
      </figcaption>
    </figure>
  );
}
