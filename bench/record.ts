/**
 * Recording throughput: 2 cameras at 640x480, 30 fps of synthetic frames, for --seconds s.
 *
 * Streaming (this app): frames piped to one ffmpeg/libx264 per camera while recording; the
 * episode is safe once ffmpeg flushes and the metadata is renamed into place.
 * Baseline (LeRobot's older path): each frame written as a PNG (zlib level 1 off the main
 * thread, like LeRobot's image-writer threads), then after the episode ffmpeg encodes the PNG
 * sequences with the same x264 settings.
 *
 *   npx tsx bench/record.ts [--seconds 60] [--width 640 --height 480] [--noise 6]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { findFfmpeg } from '../core/data/ffmpeg';
import { DEFAULT_VIDEO } from '../core/data/format';
import { RecordingSession } from '../core/data/recorder';
import { testPatternFrame } from '../core/data/test-pattern';
import type { CameraFrame } from '../core/hardware/robot';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const SECONDS = arg('seconds', 60);
const W = arg('width', 640);
const H = arg('height', 480);
const FPS = 30;
const CAMS = ['front', 'wrist'];
const JOINTS = ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'gripper'];
const TICKS = 100; // /proc stat clock ticks per second (USER_HZ)

/** CPU seconds of this process and of its reaped children (the ffmpeg encoders). */
function cpuTimes(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  // fields after ')' start at index 0 = field 3; utime=14, stime=15, cutime=16, cstime=17
  return { self: ((f[11] ?? 0) + (f[12] ?? 0)) / TICKS, children: ((f[13] ?? 0) + (f[14] ?? 0)) / TICKS };
}

function dirMb(dir: string): number {
  let bytes = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) bytes += statSync(join(e.parentPath, e.name)).size;
  }
  return bytes / 1e6;
}

interface Row {
  path: string;
  frames: number;
  dropped: number;
  missed: number;
  safeS: number;
  encCpuRecording: number;
  encCpuTotal: number;
  mainCpu: number;
  mb: number;
}

/** Call `tick(i)` at FPS for SECONDS, on a drift-free schedule; counts late ticks as missed. */
async function runClock(tick: (i: number) => void): Promise<{ missed: number; wall: number }> {
  const n = SECONDS * FPS;
  const t0 = performance.now();
  let missed = 0;
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / FPS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else if (-wait > 1000 / FPS) missed++;
    tick(i);
  }
  return { missed, wall: (performance.now() - t0) / 1000 };
}

// Sensor-like noise (+-NOISE) so the codecs see camera-like content, not flat colour.
const NOISE = arg('noise', 6);
const noise = new Int8Array(W * H * 3 + 7919).map(() => Math.round((Math.random() * 2 - 1) * NOISE));
function noisyFrame(i: number, k: number, out?: Uint8Array): CameraFrame {
  const f = testPatternFrame(W, H, i, k, out);
  if (NOISE > 0) {
    const off = (i * 7919 + k * 104729) % 7919;
    const d = f.data;
    for (let p = 0; p < d.length; p++) {
      const v = (d[p] as number) + (noise[p + off] as number);
      d[p] = v < 0 ? 0 : Math.min(v, 255);
    }
  }
  return f;
}
const frameBufs = CAMS.map(() => new Uint8Array(W * H * 3));
const framesAt = (i: number): Record<string, CameraFrame> =>
  Object.fromEntries(CAMS.map((c, k) => [c, noisyFrame(i, k, frameBufs[k])]));

async function streaming(root: string): Promise<Row> {
  const rec = await RecordingSession.open({
    root,
    robot: {
      joints: JOINTS,
      robotType: 'bench',
      cameras: CAMS.map((name) => ({ name, width: W, height: H })),
    },
    fps: FPS,
  });
  // As the app does when the operator gets ready: encoders start while they position the arm.
  rec.warmUp();
  await new Promise((r) => setTimeout(r, 1000));
  const c0 = cpuTimes();
  rec.startEpisode({ task: 'bench', source: 'demo' });
  let accepted = 0;
  const clock = await runClock((i) => {
    const s = JOINTS.map((_, j) => Math.sin(i / 30 + j));
    if (rec.addFrame({ state: s, action: s, images: framesAt(i) })) accepted++;
  });
  const c1 = cpuTimes();
  const tEnd = performance.now();
  const pids = rec.encoderPids();
  const liveCpu = pids.reduce((s, pid) => s + procCpu(pid), 0);
  await rec.endEpisode({ success: true });
  const safeS = (performance.now() - tEnd) / 1000;
  const c2 = cpuTimes();
  const p = rec.progress();
  await rec.close();
  return {
    path: 'streaming: rgb24 -> ffmpeg stdin while recording',
    frames: accepted,
    dropped: p.dropped,
    missed: clock.missed,
    safeS,
    encCpuRecording: liveCpu / clock.wall,
    encCpuTotal: c2.children - c0.children,
    mainCpu: (c1.self - c0.self) / clock.wall,
    mb: dirMb(root),
  };
}

function procCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return ((f[11] ?? 0) + (f[12] ?? 0)) / TICKS;
  } catch {
    return 0;
  }
}

const deflateAsync = promisify(deflate);
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = (CRC_TABLE[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
async function encodePng(f: CameraFrame): Promise<Buffer> {
  const stride = f.width * 3 + 1;
  const raw = Buffer.alloc(stride * f.height);
  for (let y = 0; y < f.height; y++)
    raw.set(f.data.subarray(y * f.width * 3, (y + 1) * f.width * 3), y * stride + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(f.width, 0);
  ihdr.writeUInt32BE(f.height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const idat = await deflateAsync(raw, { level: 1 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function encodePngDir(dir: string, out: string): Promise<void> {
  const v = DEFAULT_VIDEO;
  const args = [
    ...[
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-framerate',
      String(FPS),
      '-i',
      join(dir, 'frame_%06d.png'),
    ],
    ...[
      '-c:v',
      v.codec,
      '-pix_fmt',
      v.pixFmt,
      '-g',
      String(v.g),
      '-crf',
      String(v.crf),
      '-preset',
      v.preset,
      out,
    ],
  ];
  return new Promise((resolve, reject) => {
    const p = spawn(findFfmpeg(), args, { stdio: 'ignore' });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exit ${code}`))));
  });
}

async function pngThenEncode(root: string): Promise<Row> {
  const dirs = CAMS.map((c) => join(root, 'images', c));
  for (const d of dirs) mkdirSync(d, { recursive: true });
  const pending = new Set<Promise<void>>();
  let written = 0;
  let dropped = 0;
  const c0 = cpuTimes();
  const clock = await runClock((i) => {
    // Same backpressure rule as streaming: at most 2 s of frames waiting per camera.
    if (pending.size > 2 * FPS * CAMS.length) {
      dropped++;
      return;
    }
    const idx = written++;
    CAMS.forEach((_c, k) => {
      const frame = noisyFrame(i, k);
      const p = encodePng(frame)
        .then((png) => writeFile(join(dirs[k] as string, `frame_${String(idx).padStart(6, '0')}.png`), png))
        .finally(() => pending.delete(p));
      pending.add(p);
    });
  });
  const c1 = cpuTimes();
  const tEnd = performance.now();
  await Promise.all(pending);
  await Promise.all(CAMS.map((c, k) => encodePngDir(dirs[k] as string, join(root, `${c}.mp4`))));
  const safeS = (performance.now() - tEnd) / 1000;
  const c2 = cpuTimes();
  const pngMb = dirMb(join(root, 'images'));
  return {
    path: `baseline: PNG per frame, encode after episode (PNGs ${pngMb.toFixed(0)} MB)`,
    frames: written,
    dropped,
    missed: clock.missed,
    safeS,
    encCpuRecording: 0,
    encCpuTotal: c2.children - c1.children,
    mainCpu: (c1.self - c0.self) / clock.wall,
    mb: dirMb(root) - pngMb,
  };
}

const base = mkdtempSync(join(tmpdir(), 'pushcut-bench-record-'));
try {
  console.log(
    `recording ${SECONDS} s, ${CAMS.length} cameras ${W}x${H} @ ${FPS} fps, noise +-${NOISE}; ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}`,
  );
  const s = await streaming(join(base, 'stream'));
  const b = await pngThenEncode(join(base, 'png'));
  const rows = [b, s];
  const line = (c: string[]) => `| ${c.join(' | ')} |`;
  console.log(
    line([
      'path',
      'frames kept',
      'dropped',
      'missed ticks',
      'end -> safe on disk (s)',
      'encoder CPU while recording (cores)',
      'encoder CPU total (core-s)',
      'recorder main-thread CPU (cores)',
      'video MB',
    ]),
  );
  console.log(line(Array(9).fill('---')));
  for (const r of rows) {
    console.log(
      line([
        r.path,
        String(r.frames),
        String(r.dropped),
        String(r.missed),
        r.safeS.toFixed(2),
        r.encCpuRecording.toFixed(2),
        r.encCpuTotal.toFixed(1),
        r.mainCpu.toFixed(2),
        r.mb.toFixed(1),
      ]),
    );
  }
  console.log(
    `\nend -> safe: streaming is ${(b.safeS / s.safeS).toFixed(1)}x faster than the PNG baseline (${b.safeS.toFixed(2)} s vs ${s.safeS.toFixed(2)} s); load average after run ${loadavg()[0]?.toFixed(1)}`,
  );
} finally {
  rmSync(base, { recursive: true, force: true });
}
