import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Calibration,
  loadCalibration,
  normalize,
  normalizedLimits,
  saveCalibration,
  unnormalize,
} from '../../../core/hardware/arms/calibration';

const dir = mkdtempSync(join(tmpdir(), 'pushcut-cal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A file as LeRobot writes it (json.dump indent 4), values typical of an SO-101 follower.
const LEROBOT_FILE = `{
    "shoulder_pan": {
        "id": 1,
        "drive_mode": 0,
        "homing_offset": -1470,
        "range_min": 758,
        "range_max": 3292
    },
    "gripper": {
        "id": 6,
        "drive_mode": 0,
        "homing_offset": 1407,
        "range_min": 2031,
        "range_max": 3476
    }
}`;

describe('calibration files and normalization', () => {
  it('loads a LeRobot user file and saves the same shape back', () => {
    const path = join(dir, 'so_follower', 'my_arm.json');
    saveCalibration(path, JSON.parse(LEROBOT_FILE) as Calibration);
    const cal = loadCalibration(path);
    expect(cal.shoulder_pan).toEqual({
      id: 1,
      drive_mode: 0,
      homing_offset: -1470,
      range_min: 758,
      range_max: 3292,
    });
    expect(readFileSync(path, 'utf8')).toBe(`${LEROBOT_FILE}\n`);
  });

  it('refuses malformed files with what to do', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      '{"gripper": {"id": 6, "drive_mode": 0, "homing_offset": 1, "range_min": 9, "range_max": 3}}',
    );
    expect(() => loadCalibration(bad)).toThrow(/range_min 9 >= range_max 3.*recalibrate/);
    writeFileSync(bad, '{"gripper": {"id": 6}}');
    expect(() => loadCalibration(bad)).toThrow(/lacks an integer "drive_mode"/);
    expect(() => loadCalibration(join(dir, 'none.json'))).toThrow(
      /No calibration file.*calibrate the arm first/,
    );
  });

  it('normalizes to degrees around the range middle, and back (worked by hand)', () => {
    const c = { id: 1, drive_mode: 0, homing_offset: 0, range_min: 1000, range_max: 3000 };
    // mid 2000: 2500 -> 500 * 360 / 4095 = 43.956...
    expect(normalize(2500, c, 'degrees')).toBeCloseTo(43.956, 3);
    expect(normalize(2000, c, 'degrees')).toBe(0);
    expect(normalize(5000, c, 'degrees')).toBeCloseTo((1000 * 360) / 4095, 6); // clamped to max
    expect(unnormalize(43.956, c, 'degrees')).toBe(2500);
    expect(unnormalize(-400, c, 'degrees')).toBe(1000);
    expect(normalizedLimits(c, 'degrees').max).toBeCloseTo(87.91, 2);
  });

  it('gripper 0..100 and the older -100..100 range, with drive mode', () => {
    const c = { id: 6, drive_mode: 0, homing_offset: 0, range_min: 2000, range_max: 3000 };
    expect(normalize(2250, c, 'range_0_100')).toBe(25);
    expect(unnormalize(25, c, 'range_0_100')).toBe(2250);
    expect(normalize(2250, c, 'range_m100_100')).toBe(-50);
    expect(normalize(2250, { ...c, drive_mode: 1 }, 'range_m100_100')).toBe(50);
    expect(unnormalize(50, { ...c, drive_mode: 1 }, 'range_m100_100')).toBe(2250);
    for (let raw = 2000; raw <= 3000; raw += 37) {
      for (const mode of ['degrees', 'range_0_100', 'range_m100_100'] as const) {
        expect(unnormalize(normalize(raw, c, mode), c, mode)).toBe(raw);
      }
    }
  });
});
