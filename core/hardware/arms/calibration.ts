import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { RobotError } from '../robot';

/** One motor's calibration, as in LeRobot's calibration JSON files. */
export interface MotorCalibration {
  id: number;
  drive_mode: number;
  homing_offset: number;
  range_min: number;
  range_max: number;
}

/** `{ "<motor>": { id, drive_mode, homing_offset, range_min, range_max } }` */
export type Calibration = Record<string, MotorCalibration>;

/** How raw ticks map to the units a policy sees (LeRobot's MotorNormMode). */
export type NormMode = 'degrees' | 'range_m100_100' | 'range_0_100';

/** Largest raw position (resolution - 1) for 4096-step encoders. */
export const MAX_RES = 4095;

/** LeRobot's calibration folder: `$HF_LEROBOT_CALIBRATION` or `$HF_HOME/lerobot/calibration`. */
export function calibrationRoot(): string {
  if (process.env.HF_LEROBOT_CALIBRATION) return process.env.HF_LEROBOT_CALIBRATION;
  const hfHome =
    process.env.HF_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huggingface');
  return join(hfHome, 'lerobot', 'calibration');
}

/** e.g. `calibrationPath('robots', 'so_follower', 'my_arm')`. */
export function calibrationPath(kind: 'robots' | 'teleoperators', type: string, id: string): string {
  return join(calibrationRoot(), kind, type, `${id}.json`);
}

const FIELDS = ['id', 'drive_mode', 'homing_offset', 'range_min', 'range_max'] as const;

export function parseCalibration(json: unknown, source = 'calibration'): Calibration {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new RobotError(
      `${source} is not a JSON object of motors`,
      'bad-calibration',
      'recalibrate the arm',
    );
  }
  const out: Calibration = {};
  for (const [motor, v] of Object.entries(json as Record<string, unknown>)) {
    const rec = v as Record<string, unknown>;
    for (const f of FIELDS) {
      if (typeof rec?.[f] !== 'number' || !Number.isInteger(rec[f])) {
        throw new RobotError(
          `${source}: motor "${motor}" lacks an integer "${f}"`,
          'bad-calibration',
          'fix the file or recalibrate the arm',
        );
      }
    }
    const c = rec as unknown as MotorCalibration;
    if (c.range_min >= c.range_max) {
      throw new RobotError(
        `${source}: motor "${motor}" has range_min ${c.range_min} >= range_max ${c.range_max}`,
        'bad-calibration',
        'recalibrate and move that joint through its whole range while recording',
      );
    }
    out[motor] = {
      id: c.id,
      drive_mode: c.drive_mode,
      homing_offset: c.homing_offset,
      range_min: c.range_min,
      range_max: c.range_max,
    };
  }
  return out;
}

export function loadCalibration(path: string): Calibration {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new RobotError(`No calibration file at ${path}`, 'uncalibrated', 'calibrate the arm first');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RobotError(
      `Calibration file ${path} is not valid JSON: ${(err as Error).message}`,
      'bad-calibration',
      'recalibrate',
    );
  }
  return parseCalibration(json, path);
}

/** Save in LeRobot's format (indent 4), atomically. */
export function saveCalibration(path: string, cal: Calibration): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(cal, null, 4)}\n`);
  renameSync(tmp, path);
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Raw ticks -> units, LeRobot's `_normalize` (raw clamped to the calibrated range first). */
export function normalize(raw: number, cal: MotorCalibration, mode: NormMode): number {
  const { range_min: min, range_max: max } = cal;
  const v = clamp(raw, min, max);
  switch (mode) {
    case 'degrees':
      return ((v - (min + max) / 2) * 360) / MAX_RES;
    case 'range_m100_100': {
      const n = ((v - min) / (max - min)) * 200 - 100;
      return cal.drive_mode ? -n : n;
    }
    case 'range_0_100': {
      const n = ((v - min) / (max - min)) * 100;
      return cal.drive_mode ? 100 - n : n;
    }
  }
}

/** Units -> raw ticks (rounded, clamped to the calibrated range). */
export function unnormalize(value: number, cal: MotorCalibration, mode: NormMode): number {
  const { range_min: min, range_max: max } = cal;
  let raw: number;
  switch (mode) {
    case 'degrees':
      raw = (value * MAX_RES) / 360 + (min + max) / 2;
      break;
    case 'range_m100_100': {
      const n = clamp(cal.drive_mode ? -value : value, -100, 100);
      raw = ((n + 100) / 200) * (max - min) + min;
      break;
    }
    case 'range_0_100': {
      const n = clamp(cal.drive_mode ? 100 - value : value, 0, 100);
      raw = (n / 100) * (max - min) + min;
      break;
    }
  }
  return clamp(Math.round(raw), min, max);
}

/** The calibrated range in units, for `RobotFeatures.limits`. */
export function normalizedLimits(cal: MotorCalibration, mode: NormMode): { min: number; max: number } {
  const a = normalize(cal.range_min, cal, mode);
  const b = normalize(cal.range_max, cal, mode);
  return { min: Math.min(a, b), max: Math.max(a, b) };
}
