import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findFfmpeg } from '../../data/ffmpeg';
import { type CameraFrame, RobotError } from '../robot';
import type { CameraSource } from './with-cameras';

export interface FfmpegCameraOptions {
  /** Camera name in observations (`front`, `wrist`, ...). */
  name: string;
  /**
   * `/dev/videoN` (a V4L2 webcam), `lavfi:<filter graph>` (a generated picture, e.g.
   * `lavfi:testsrc=size=64x64:rate=30`), or any other input ffmpeg opens (a file, a URL).
   */
  source: string;
  width: number;
  height: number;
  /** Frames per second asked of a webcam (default 30). */
  fps?: number;
  /** How long `open()` waits for the first frame (default 10 s). */
  firstFrameTimeoutMs?: number;
}

function inputArgs(source: string, fps: number): string[] {
  // -re: generated pictures and files come at their own frame rate, as a webcam's do, instead of
  // as fast as a CPU core can make them
  if (source.startsWith('lavfi:')) return ['-re', '-f', 'lavfi', '-i', source.slice('lavfi:'.length)];
  if (source.startsWith('/dev/video')) return ['-f', 'v4l2', '-framerate', String(fps), '-i', source];
  return ['-re', '-i', source];
}

/** Last lines of ffmpeg's stderr, the part that says what failed. */
const tail = (s: string) => s.trim().split('\n').slice(-3).join(' | ');

/**
 * A rig webcam (or any ffmpeg input) as a CameraSource: ffmpeg decodes and scales to
 * `width`x`height` rgb24 on stdout; the newest complete frame is kept, older ones are dropped.
 */
export class FfmpegCamera implements CameraSource {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  private child: ChildProcess | null = null;
  private latest: CameraFrame | null = null;
  private failure: RobotError | null = null;
  private stderr = '';
  private closing = false;

  constructor(private readonly opts: FfmpegCameraOptions) {
    this.name = opts.name;
    this.width = opts.width;
    this.height = opts.height;
  }

  /** Start ffmpeg and wait for its first frame; a missing device or a failing input throws a RobotError. */
  async open(): Promise<void> {
    const { source, name } = this.opts;
    if (source.startsWith('/dev/') && !existsSync(source)) {
      throw new RobotError(
        `camera "${name}": ${source} does not exist`,
        'camera_missing',
        'plug the webcam in and check `ls /dev/video*` for its device path',
      );
    }
    const frameBytes = this.width * this.height * 3;
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      ...inputArgs(source, this.opts.fps ?? 30),
      '-vf',
      `scale=${this.width}:${this.height}`,
      '-pix_fmt',
      'rgb24',
      '-f',
      'rawvideo',
      'pipe:1',
    ];
    const child = spawn(findFfmpeg(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let pending: Buffer = Buffer.alloc(0);
    child.stdout?.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      // keep only the newest whole frame
      const whole = Math.floor(pending.length / frameBytes);
      if (whole > 0) {
        const start = (whole - 1) * frameBytes;
        this.latest = {
          width: this.width,
          height: this.height,
          data: new Uint8Array(pending.subarray(start, start + frameBytes)),
        };
        pending = pending.subarray(whole * frameBytes);
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    const exited = new Promise<void>((resolve) => {
      child.on('error', (err) => {
        this.failure = new RobotError(
          `camera "${name}": ffmpeg could not start (${err.message})`,
          'camera_failed',
          'install ffmpeg (e.g. `apt install ffmpeg`)',
        );
        resolve();
      });
      child.on('exit', (code) => {
        if (!this.closing) {
          this.failure ??= new RobotError(
            `camera "${name}": ffmpeg stopped reading ${source} (exit ${code}${this.stderr ? `: ${tail(this.stderr)}` : ''})`,
            'camera_failed',
            source.startsWith('/dev/')
              ? 'check that no other program uses the webcam and that you may read it (group "video")'
              : 'check the camera source',
          );
        }
        resolve();
      });
    });
    const deadline = performance.now() + (this.opts.firstFrameTimeoutMs ?? 10_000);
    let done = false;
    void exited.then(() => {
      done = true;
    });
    while (!this.latest && !done && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (this.failure) throw this.failure;
    if (!this.latest) {
      await this.close();
      throw new RobotError(
        `camera "${name}": no frame from ${source} within ${Math.round((this.opts.firstFrameTimeoutMs ?? 10_000) / 1000)} s`,
        'camera_timeout',
        'check the camera source and that it delivers video',
      );
    }
  }

  /** The newest frame; throws once ffmpeg has stopped, so a lost webcam is not mistaken for a frozen scene. */
  async grab(): Promise<CameraFrame | null> {
    if (this.failure) throw this.failure;
    return this.latest;
  }

  async close(): Promise<void> {
    this.closing = true;
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(timer);
  }
}

/** Parse `name=source` (the CLI's `--camera front=/dev/video0`). */
export function parseCameraSpec(spec: string): { name: string; source: string } {
  const eq = spec.indexOf('=');
  const name = eq > 0 ? spec.slice(0, eq).trim() : '';
  const source = eq > 0 ? spec.slice(eq + 1).trim() : '';
  if (!/^[A-Za-z0-9_-]+$/.test(name) || !source) {
    throw new RobotError(
      `camera "${spec}" is not name=source`,
      'camera_spec',
      'write e.g. front=/dev/video0 or wrist=lavfi:testsrc=size=64x64:rate=30',
    );
  }
  return { name, source };
}

/** Open several cameras; if one fails, the ones already open are closed before the error is thrown. */
export async function openFfmpegCameras(
  specs: { name: string; source: string }[],
  size: { width: number; height: number },
): Promise<FfmpegCamera[]> {
  const open: FfmpegCamera[] = [];
  try {
    for (const s of specs) {
      const cam = new FfmpegCamera({ ...s, ...size });
      await cam.open();
      open.push(cam);
    }
  } catch (err) {
    await Promise.all(open.map((c) => c.close()));
    throw err;
  }
  return open;
}
