/**
 * ffmpeg as a child process: stream rgb24 frames in while recording (H.264 mp4 out), and
 * decode mp4 back to rgb24 frames for review and training.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import type { CameraFrame } from '../hardware/robot';
import { DatasetError } from './errors';
import type { VideoSettings } from './format';

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  return null;
}

let cachedFfmpeg: string | null | undefined;

/** The ffmpeg on PATH, else the binary of the optional `@ffmpeg-installer/ffmpeg` package. */
export function findFfmpeg(): string {
  if (cachedFfmpeg === undefined) {
    cachedFfmpeg = onPath('ffmpeg');
    if (!cachedFfmpeg) {
      try {
        const req = createRequire(import.meta.url);
        cachedFfmpeg = (req('@ffmpeg-installer/ffmpeg') as { path: string }).path;
      } catch {
        cachedFfmpeg = null;
      }
    }
  }
  if (!cachedFfmpeg) {
    throw new DatasetError(
      'ffmpeg was not found, so camera video cannot be recorded or played back.',
      'ffmpeg_missing',
      'Install ffmpeg (e.g. `apt install ffmpeg`) or reinstall the app with its optional ffmpeg package.',
    );
  }
  return cachedFfmpeg;
}

function explainFfmpegFailure(stderr: string, path: string, code: number | null): DatasetError {
  if (/No space left on device/i.test(stderr)) {
    return new DatasetError(
      `The disk is full: video ${path} could not be written.`,
      'disk_full',
      'Free some disk space or choose a dataset folder on another disk, then record again.',
    );
  }
  if (/Permission denied|Read-only file system|Not a directory/i.test(stderr)) {
    return new DatasetError(
      `The dataset folder is not writable: video ${path} could not be written.`,
      'not_writable',
      'Choose a folder you can write to, or fix its permissions.',
    );
  }
  return new DatasetError(
    `ffmpeg failed (exit ${code}) writing ${path}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
    'encoder_failed',
  );
}

export interface EncoderOptions {
  path: string;
  width: number;
  height: number;
  fps: number;
  settings: VideoSettings;
  /** Frames waiting for ffmpeg beyond this are dropped rather than queued (default 2 s worth). */
  maxQueuedFrames?: number;
}

/** One mp4 being encoded while frames arrive. */
export class VideoEncoder {
  private readonly proc: ChildProcess;
  private readonly exited: Promise<number | null>;
  private stderr = '';
  private failure: DatasetError | null = null;
  private readonly frameBytes: number;
  private readonly maxQueuedBytes: number;
  framesWritten = 0;
  framesDropped = 0;

  constructor(readonly opts: EncoderOptions) {
    const { width, height, fps, settings, path } = opts;
    if (width % 2 || height % 2) {
      throw new DatasetError(
        `Camera size ${width}x${height} is odd; H.264 yuv420p needs even width and height.`,
        'bad_camera_size',
        'Configure the camera to an even resolution such as 640x480.',
      );
    }
    this.frameBytes = width * height * 3;
    this.maxQueuedBytes = this.frameBytes * (opts.maxQueuedFrames ?? Math.max(2, fps * 2));
    const args = [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-framerate', String(fps)],
      ...['-i', 'pipe:0'],
      ...['-c:v', settings.codec, '-pix_fmt', settings.pixFmt, '-g', String(settings.g)],
      ...['-crf', String(settings.crf), '-preset', settings.preset],
      ...['-f', 'mp4', path],
    ];
    this.proc = spawn(findFfmpeg(), args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.proc.stderr?.setEncoding('utf8');
    this.proc.stderr?.on('data', (s: string) => {
      this.stderr = (this.stderr + s).slice(-4000);
    });
    this.proc.stdin?.on('error', () => {
      // EPIPE when ffmpeg died; the exit handler reports why.
    });
    this.exited = new Promise((resolve) => {
      this.proc.on('error', (err) => {
        this.failure ??= new DatasetError(`Could not start ffmpeg: ${err.message}`, 'ffmpeg_missing');
        resolve(null);
      });
      this.proc.on('exit', (code, signal) => {
        if (code !== 0 && !this.aborted) {
          this.failure ??= explainFfmpegFailure(this.stderr, path, code ?? (signal as unknown as number));
        }
        resolve(code);
      });
    });
  }

  private aborted = false;

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get error(): DatasetError | null {
    return this.failure;
  }

  /** Bytes handed to ffmpeg's stdin but not yet consumed. */
  get queuedBytes(): number {
    return this.proc.stdin?.writableLength ?? 0;
  }

  /** Queue a frame; returns false (and counts a drop) when the encoder is too far behind. */
  write(frame: CameraFrame): boolean {
    if (this.failure) throw this.failure;
    const { width, height } = this.opts;
    if (frame.width !== width || frame.height !== height || frame.data.length !== this.frameBytes) {
      throw new DatasetError(
        `Camera frame is ${frame.width}x${frame.height} (${frame.data.length} bytes) but the dataset expects ${width}x${height} rgb24.`,
        'bad_frame',
        'Record into a new dataset folder when the camera resolution changes.',
      );
    }
    if (this.queuedBytes + this.frameBytes > this.maxQueuedBytes) {
      this.framesDropped++;
      return false;
    }
    // Copy: callers may reuse their frame buffer before ffmpeg has read it.
    this.proc.stdin?.write(Buffer.from(frame.data));
    this.framesWritten++;
    return true;
  }

  /** Would the next frame be dropped? Lets the caller drop a whole multi-camera frame at once. */
  wouldDrop(): boolean {
    return this.queuedBytes + this.frameBytes > this.maxQueuedBytes;
  }

  /** Close the input and wait until ffmpeg has written the whole mp4. */
  async finish(): Promise<void> {
    this.proc.stdin?.end();
    await this.exited;
    if (this.failure) throw this.failure;
  }

  /** Stop encoding and remove the output. */
  async abort(): Promise<void> {
    this.aborted = true;
    this.proc.stdin?.destroy();
    this.proc.kill('SIGKILL');
    await this.exited;
    rmSync(this.opts.path, { force: true });
  }
}

export interface DecodeOptions {
  width: number;
  height: number;
  fps: number;
  /** Seconds into the file (an episode's `from_timestamp`). */
  from?: number;
  /** End, exclusive (an episode's `to_timestamp`). */
  to?: number;
}

/** Decode frames from an mp4 to rgb24. */
export async function decodeVideo(path: string, opts: DecodeOptions): Promise<CameraFrame[]> {
  const { width, height, fps } = opts;
  const from = opts.from ?? 0;
  const args = ['-hide_banner', '-loglevel', 'error'];
  if (from > 0) args.push('-ss', from.toFixed(6));
  args.push('-i', path);
  if (opts.to !== undefined) {
    const n = Math.round((opts.to - from) * fps);
    args.push('-frames:v', String(n));
  }
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', '-fps_mode', 'passthrough', 'pipe:1');
  const proc = spawn(findFfmpeg(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  proc.stdout.on('data', (b: Buffer) => chunks.push(b));
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (s: string) => {
    stderr += s;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', resolve);
  });
  if (code !== 0) {
    throw new DatasetError(
      `Could not decode video ${path}: ${stderr.trim().split('\n').slice(-2).join(' | ')}`,
      'corrupt_video',
      'The video file may be incomplete or damaged; re-record or delete this episode.',
    );
  }
  const all = Buffer.concat(chunks);
  const size = width * height * 3;
  const frames: CameraFrame[] = [];
  for (let off = 0; off + size <= all.length; off += size) {
    frames.push({ width, height, data: new Uint8Array(all.buffer, all.byteOffset + off, size) });
  }
  return frames;
}
