import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FeetechBus } from '../../../core/hardware/feetech/bus';
import { BusError, explainOpenError } from '../../../core/hardware/serial/errors';
import { checkPortAccess, listPorts } from '../../../core/hardware/serial/ports';

const dev = mkdtempSync(join(tmpdir(), 'pushcut-dev-'));
writeFileSync(join(dev, 'ttyUSB0'), '');
writeFileSync(join(dev, 'ttyACM1'), '');
writeFileSync(join(dev, 'ttyS0'), '');
mkdirSync(join(dev, 'serial', 'by-id'), { recursive: true });
symlinkSync(join(dev, 'ttyACM1'), join(dev, 'serial', 'by-id', 'usb-1a86_USB_Single_Serial_5A46-if00'));
afterAll(() => rmSync(dev, { recursive: true, force: true }));

describe('port listing', () => {
  it('falls back to scanning /dev when udevadm is missing from PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = join(dev, 'no-bin'); // no udevadm here: SerialPort.list() fails to spawn it
    try {
      const { ports, warning } = await listPorts({ devRoot: dev });
      expect(warning).toMatch(/system port listing failed.*ENOENT|udevadm/);
      expect(ports.map((p) => p.path)).toEqual([join(dev, 'ttyACM1'), join(dev, 'ttyUSB0')]);
      expect(ports[0]!.byId).toBe(join(dev, 'serial', 'by-id', 'usb-1a86_USB_Single_Serial_5A46-if00'));
      expect(ports.every((p) => p.source === 'dev-scan')).toBe(true);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('flags an FTDI latency timer that would cap the bus, with the fix', async () => {
    const sys = join(dev, 'sys');
    mkdirSync(join(sys, 'bus', 'usb-serial', 'devices', 'ttyUSB0'), { recursive: true });
    writeFileSync(join(sys, 'bus', 'usb-serial', 'devices', 'ttyUSB0', 'latency_timer'), '16\n');
    const { ports } = await listPorts({ devRoot: dev, sysRoot: sys });
    const usb = ports.find((p) => p.path.endsWith('ttyUSB0'))!;
    expect(usb.latencyTimerMs).toBe(16);
    expect(usb.latencyWarning).toMatch(
      /latency timer is 16 ms.*about 62 exchanges\/s.*echo 1 \| sudo tee .*latency_timer/,
    );
    expect(ports.find((p) => p.path.endsWith('ttyACM1'))!.latencyTimerMs).toBeUndefined();
  });

  it('with udevadm present, uses the OS listing and adds what /dev shows', async () => {
    const { ports, warning } = await listPorts({ devRoot: dev });
    expect(warning).toBeUndefined();
    expect(ports.map((p) => p.path)).toContain(join(dev, 'ttyUSB0'));
  });

  it('a permission error says the exact fix', async () => {
    const err = explainOpenError(
      '/dev/ttyACM0',
      Object.assign(new Error('Error: Permission denied, cannot open /dev/ttyACM0'), { code: 'EACCES' }),
    );
    expect(err.code).toBe('permission');
    expect(err.message).toContain('sudo usermod -aG dialout $USER');
    expect(err.message).toContain('log out and back in');
    expect(err.message).toMatch(/udev rule.*SUBSYSTEM=="tty"/);
  });

  it('opening a missing port names it and says what to do', async () => {
    await expect(checkPortAccess(join(dev, 'ttyUSB9'))).rejects.toThrow(/does not exist.*plug the arm in/);
    const bus = new FeetechBus({ path: join(dev, 'ttyUSB9'), motors: {} });
    const err = await bus.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusError);
    expect((err as BusError).code).toBe('no-port');
  });
});
