import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SO101_JOINTS } from '../../core/hardware/robot';
import { IdealMotorBackend, VirtualServoBus } from '../../core/hardware/serial';
import { pushcut, pushcutLive } from './helpers';

const work = mkdtempSync(join(tmpdir(), 'pushcut-cli-cal-'));
const buses: VirtualServoBus[] = [];
afterAll(async () => {
  for (const b of buses) await b.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The person: move every virtual joint through its range and back (as the Studio's sweep does). */
async function sweep(motors: IdealMotorBackend): Promise<void> {
  const ids = [1, 2, 3, 4, 5, 6];
  const start = ids.map((id) => motors.position(id));
  for (let k = 0; k <= 40; k++) {
    const phase = Math.sin((k / 40) * 2 * Math.PI);
    for (const [i, id] of ids.entries()) motors.setPosition(id, Math.round(start[i]! + phase * 900));
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('pushcut bus calibrate', { timeout: 120_000 }, () => {
  it('guides the calibration of a virtual SO-101 and writes the LeRobot calibration file', async () => {
    const motors = new IdealMotorBackend({ ids: [1, 2, 3, 4, 5, 6], initial: 2047 });
    const bus = await VirtualServoBus.start({ protocol: 'feetech', backend: motors });
    buses.push(bus);
    const out = join(work, 'arm.json');
    const cli = pushcutLive(['bus', 'calibrate', bus.devicePath, '-o', out, '--bus-timeout', '40']);
    await cli.waitFor(/middle of its range.*Press Enter/);
    // finishing before any joint moved is refused with what to do, and recording goes on
    cli.send('');
    await cli.waitFor(/entire range.*Press Enter/);
    cli.send('');
    await cli.waitFor(/barely moved.*move those joints/);
    await sweep(motors);
    cli.send('');
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Calibration saved in ${out}`);
    const cal = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(cal)).toEqual([...SO101_JOINTS]);
    expect(cal.shoulder_pan).toMatchObject({ id: 1, drive_mode: 0 });
    expect(cal.elbow_flex.range_max - cal.elbow_flex.range_min).toBeGreaterThan(1500);
    expect(cal.wrist_roll).toMatchObject({ range_min: 0, range_max: 4095 }); // full-turn joint
  });

  it('refuses a port that does not exist and a quit before the end, writing nothing', async () => {
    const missing = await pushcut(['bus', 'calibrate', '/dev/pushcut-no-such-port']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No serial port at \/dev\/pushcut-no-such-port.*pushcut bus ports/);

    const bus = await VirtualServoBus.start({
      protocol: 'feetech',
      backend: new IdealMotorBackend({ ids: [1, 2, 3, 4, 5, 6], initial: 2047 }),
    });
    buses.push(bus);
    const out = join(work, 'quit.json');
    const cli = pushcutLive(['bus', 'calibrate', bus.devicePath, '-o', out, '--bus-timeout', '40']);
    await cli.waitFor(/Press Enter/);
    cli.send('q');
    const run = await cli.done;
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/Calibration cancelled.*nothing was written/);
    expect(existsSync(out)).toBe(false);
  });
});
