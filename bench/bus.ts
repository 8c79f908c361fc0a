/**
 * Full servo-bus cycle rate over a socat pty at 1 Mbaud: sync read of 6 Present_Position + sync
 * write of 6 Goal_Position, through the real `serialport` driver, against the virtual bus running
 * in a worker thread. Each row prints the wire bound (bytes per cycle x 10 bits / baud) beside it;
 * the baseline is a raw request/reply of the same byte counts over the same pty with no protocol.
 *
 *   npx tsx bench/bus.ts [seconds per row, default 3]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { SO101Follower, SO101Leader } from '../core/hardware/arms/arms';
import type { Calibration } from '../core/hardware/arms/calibration';
import { DynamixelBus } from '../core/hardware/dynamixel/bus';
import { dynamixelProtocol } from '../core/hardware/dynamixel/protocol';
import { FeetechBus } from '../core/hardware/feetech/bus';
import { feetechProtocol } from '../core/hardware/feetech/protocol';
import type { BusProtocol } from '../core/hardware/serial/protocol';
import type { ServoBus } from '../core/hardware/serial/servo-bus';
import { leaderFollowerTeleop } from '../core/hardware/teleop/leader-follower';

const SECONDS = Number(process.argv[2] ?? 3);
const BAUD = 1_000_000;
const NAMES = ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'gripper'];
const motors = Object.fromEntries(NAMES.map((n, i) => [n, { id: i + 1 }]));

function cycleBytes(p: BusProtocol, addrRead: number, addrWrite: number, size: number) {
  const ids = [1, 2, 3, 4, 5, 6];
  const request = p.encodeSyncRead(addrRead, size, ids).length;
  const replies = p.statusLength(size) * ids.length;
  const write = p.encodeSyncWrite(
    addrWrite,
    size,
    ids.map((id) => ({ id, data: new Uint8Array(size) })),
  ).length;
  return { out: request + write, in: replies, total: request + replies + write };
}

async function startResponder(mode: 'feetech' | 'dynamixel' | 'echo', replyBytes = 0) {
  const script = fileURLToPath(new URL('./bus-worker.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, mode, String(replyBytes)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const path = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`responder exited with ${code}`)));
  });
  return {
    path,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      await exited;
    },
  };
}

async function runBus(bus: ServoBus): Promise<number> {
  await bus.open();
  await bus.syncRead('Present_Position'); // warm up
  let cycles = 0;
  const goal = Object.fromEntries(NAMES.map((n) => [n, 2048]));
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  while (performance.now() < end) {
    const pos = await bus.syncRead('Present_Position');
    for (const n of NAMES) goal[n] = (pos[n]! + 1) % 4096;
    await bus.syncWrite('Goal_Position', goal);
    cycles++;
  }
  const rate = cycles / ((performance.now() - t0) / 1000);
  if (bus.stats.timeouts > 0) console.error(`  (${bus.stats.timeouts} timeouts during the run)`);
  await bus.close();
  return rate;
}

async function runRaw(path: string, outBytes: number, inBytes: number): Promise<number> {
  const port = new SerialPort({ path, baudRate: BAUD });
  await new Promise((r) => port.once('open', r));
  const req = Buffer.alloc(outBytes, 0x11);
  let got = 0;
  let waiter: (() => void) | null = null;
  port.on('data', (d: Buffer) => {
    got += d.length;
    if (got >= inBytes && waiter) {
      got -= inBytes;
      const w = waiter;
      waiter = null;
      w();
    }
  });
  let cycles = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  while (performance.now() < end) {
    await new Promise<void>((resolve) => {
      waiter = resolve;
      port.write(req);
    });
    cycles++;
  }
  const rate = cycles / ((performance.now() - t0) / 1000);
  await new Promise((r) => port.close(r));
  return rate;
}

const rows: string[][] = [];
const fmt = (v: number, d = 0) => v.toFixed(d);

let baseline = 1;
const feetech = cycleBytes(feetechProtocol, 56, 42, 2);
const dxl = cycleBytes(dynamixelProtocol, 132, 116, 4);

{
  const r = await startResponder('echo', feetech.in);
  const rate = await runRaw(r.path, feetech.out, feetech.in);
  await r.stop();
  rows.push([
    'baseline: raw pty request/reply, Feetech cycle byte counts',
    fmt(rate),
    String(feetech.total),
    fmt(BAUD / (feetech.total * 10)),
    '1.00',
  ]);
  baseline = rate;
}
{
  const r = await startResponder('feetech');
  const rate = await runBus(new FeetechBus({ path: r.path, motors, baudRate: BAUD }));
  await r.stop();
  rows.push([
    'Feetech STS: sync read 6 pos + sync write 6 goals',
    fmt(rate),
    String(feetech.total),
    fmt(BAUD / (feetech.total * 10)),
    (rate / baseline).toFixed(2),
  ]);
}
{
  const r = await startResponder('dynamixel');
  const rate = await runBus(new DynamixelBus({ path: r.path, motors, baudRate: BAUD }));
  await r.stop();
  rows.push([
    'Dynamixel 2.0: sync read 6 pos + sync write 6 goals',
    fmt(rate),
    String(dxl.total),
    fmt(BAUD / (dxl.total * 10)),
    (rate / baseline).toFixed(2),
  ]);
}

// Leader -> follower teleop (two virtual arms, each its own process): the loop's measured rate at
// the 60 Hz target, and flat out (target 2000 Hz) to show the headroom.
const cal: Calibration = Object.fromEntries(
  NAMES.map((n, i) => [n, { id: i + 1, drive_mode: 0, homing_offset: 0, range_min: 1000, range_max: 3000 }]),
);
for (const hz of [60, 2000]) {
  const a = await startResponder('feetech');
  const b = await startResponder('feetech');
  const leader = new SO101Leader({ port: a.path, calibration: cal });
  const follower = new SO101Follower({ port: b.path, calibration: cal });
  await leader.connect();
  await follower.connect();
  const loop = leaderFollowerTeleop({ leader, follower, hz });
  await loop.start();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const rate = loop.stats.cycles / SECONDS;
  await loop.stop();
  await leader.close();
  await follower.close();
  await a.stop();
  await b.stop();
  rows.push([
    `teleop leader->follower, target ${hz} Hz (leader sync read + follower sync write)`,
    fmt(rate),
    String(feetech.total),
    fmt(BAUD / (feetech.total * 10)),
    (rate / baseline).toFixed(2),
  ]);
}

const header = ['case', 'cycles/s (pty)', 'bytes/cycle', 'wire bound cycles/s @1 Mbaud', 'vs baseline'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log(
  `\nA pty has no baud rate: the wire bound is what a real 1 Mbaud bus allows (10 bits per byte, no gaps, Return_Delay_Time 0). ${SECONDS} s per row, emulator in its own process.`,
);
