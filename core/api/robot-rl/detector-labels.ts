import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CameraFrame } from '../../hardware/robot';

interface Entry {
  file: string;
  camera: string;
  width: number;
  height: number;
  success: boolean;
  at: string;
}

/**
 * The final frames a person labelled, kept beside the RL run (`labels.jsonl` + one raw RGB file
 * per frame), so the success detector keeps what it learnt from one session to the next.
 */
export class DetectorLabelStore {
  constructor(private readonly dir: string) {}

  private get index(): string {
    return join(this.dir, 'labels.jsonl');
  }

  load(): { camera: string; frame: CameraFrame; success: boolean }[] {
    if (!existsSync(this.index)) return [];
    return readFileSync(this.index, 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => {
        try {
          const e = JSON.parse(line) as Entry;
          const data = new Uint8Array(readFileSync(join(this.dir, e.file)));
          if (data.length !== e.width * e.height * 3) return [];
          return [
            { camera: e.camera, frame: { width: e.width, height: e.height, data }, success: e.success },
          ];
        } catch {
          return []; // a torn last line or a missing frame: skip it
        }
      });
  }

  add(camera: string, frame: CameraFrame, success: boolean): void {
    mkdirSync(this.dir, { recursive: true });
    const n = existsSync(this.index)
      ? readFileSync(this.index, 'utf8').split('\n').filter(Boolean).length
      : 0;
    const file = `frame-${String(n).padStart(5, '0')}.rgb`;
    writeFileSync(join(this.dir, file), frame.data);
    const entry: Entry = {
      file,
      camera,
      width: frame.width,
      height: frame.height,
      success,
      at: new Date().toISOString(),
    };
    appendFileSync(this.index, `${JSON.stringify(entry)}\n`);
  }
}
