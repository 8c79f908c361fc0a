import { constants } from 'node:fs';
import { access, readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { BusError, PERMISSION_FIX } from './errors';

export interface PortInfo {
  /** Device path to open, e.g. `/dev/ttyACM0`. */
  path: string;
  /** Stable `/dev/serial/by-id/...` link to it, when there is one (survives re-plugging). */
  byId?: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  /** How it was found: the OS listing (udev) or a scan of /dev. */
  source: 'serialport' | 'dev-scan';
  /** FTDI-style USB adapters (ttyUSB, e.g. ROBOTIS U2D2): the driver's latency timer, when readable. */
  latencyTimerMs?: number;
  /** Set when that timer will slow the bus down, with the fix. */
  latencyWarning?: string;
}

/**
 * FTDI adapters batch received bytes for `latency_timer` ms (default 16), capping a
 * request/response bus near 1000/16 = 60 exchanges/s; the vendors' SDKs recommend 1 ms.
 */
async function addLatencyInfo(port: PortInfo, sysRoot: string): Promise<void> {
  const real = await realpath(port.path).catch(() => port.path);
  const name = real.split('/').pop() ?? '';
  if (!/^ttyUSB\d+$/.test(name)) return;
  const file = join(sysRoot, 'bus', 'usb-serial', 'devices', name, 'latency_timer');
  const text = await readFile(file, 'utf8').catch(() => null);
  const ms = text === null ? Number.NaN : Number.parseInt(text, 10);
  if (!Number.isFinite(ms)) return;
  port.latencyTimerMs = ms;
  if (ms > 2) {
    port.latencyWarning =
      `${name}'s USB latency timer is ${ms} ms, which limits the servo bus to about ${Math.floor(1000 / ms)} exchanges/s: ` +
      `set it to 1 ms with \`echo 1 | sudo tee ${file}\` (or a udev rule: ` +
      `ACTION=="add", SUBSYSTEM=="usb-serial", DRIVER=="ftdi_sio", ATTR{latency_timer}="1")`;
  }
}

export interface ListPortsResult {
  ports: PortInfo[];
  /** Set when the OS listing failed and /dev was scanned instead. */
  warning?: string;
}

const DEV_PATTERNS = [/^ttyUSB\d+$/, /^ttyACM\d+$/];

async function scanDev(devRoot: string): Promise<PortInfo[]> {
  const found = new Map<string, PortInfo>();
  const entries = await readdir(devRoot).catch(() => [] as string[]);
  for (const name of entries.sort()) {
    if (DEV_PATTERNS.some((re) => re.test(name))) {
      const path = join(devRoot, name);
      found.set(await realpath(path).catch(() => path), { path, source: 'dev-scan' });
    }
  }
  const byIdDir = join(devRoot, 'serial', 'by-id');
  for (const name of (await readdir(byIdDir).catch(() => [] as string[])).sort()) {
    const link = join(byIdDir, name);
    const target = await realpath(link).catch(() => null);
    if (!target) continue;
    const existing = [...found.entries()].find(([real]) => real === target)?.[1];
    if (existing) existing.byId = link;
    else found.set(target, { path: target, byId: link, source: 'dev-scan' });
  }
  return [...found.values()];
}

async function osList(timeoutMs: number): Promise<PortInfo[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const list = await Promise.race([
      SerialPort.list(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`listing took over ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return list.map((p) => ({
      path: p.path,
      ...(p.pnpId ? { byId: `/dev/serial/by-id/${p.pnpId}` } : {}),
      ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
      ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
      ...(p.vendorId ? { vendorId: p.vendorId } : {}),
      ...(p.productId ? { productId: p.productId } : {}),
      source: 'serialport' as const,
    }));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * List serial ports. `SerialPort.list()` runs `udevadm` on Linux and fails without it (minimal
 * containers, some distros): then /dev/ttyUSB*, /dev/ttyACM* and /dev/serial/by-id/* are scanned.
 * Ports the OS listing missed but /dev shows are added too.
 */
export async function listPorts(
  opts: { devRoot?: string; sysRoot?: string; timeoutMs?: number } = {},
): Promise<ListPortsResult> {
  const result = await listPortsRaw(opts.devRoot ?? '/dev', opts.timeoutMs ?? 3000);
  for (const p of result.ports) await addLatencyInfo(p, opts.sysRoot ?? '/sys');
  return result;
}

async function listPortsRaw(devRoot: string, timeoutMs: number): Promise<ListPortsResult> {
  const scanned = await scanDev(devRoot);
  let listed: PortInfo[];
  try {
    listed = await osList(timeoutMs);
  } catch (err) {
    const why = (err as Error).message;
    return {
      ports: scanned,
      warning: `The system port listing failed (${why}); showing ports found in ${devRoot} instead${
        /udevadm|ENOENT/.test(why) ? ' (install udev for manufacturer names)' : ''
      }`,
    };
  }
  const out = [...listed];
  for (const s of scanned) {
    const real = await realpath(s.path).catch(() => s.path);
    const already = await Promise.all(
      out.map(async (p) => (await realpath(p.path).catch(() => p.path)) === real),
    );
    if (!already.includes(true)) out.push(s);
  }
  return { ports: out };
}

/** Throws a BusError with the exact fix when the current user may not open `path`. */
export async function checkPortAccess(path: string): Promise<void> {
  try {
    await access(path, constants.R_OK | constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new BusError(`Permission denied opening ${path}`, 'permission', PERMISSION_FIX, { path });
    }
    throw new BusError(
      `Serial port ${path} does not exist`,
      'no-port',
      'plug the arm in and pick its port from the list',
      {
        path,
      },
    );
  }
}
