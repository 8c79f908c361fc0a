import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KochFollower, KochLeader, SO101Follower } from '../../../core/hardware/arms/arms';
import type { Calibration } from '../../../core/hardware/arms/calibration';
import { IdealMotorBackend } from '../../../core/hardware/virtual/servo-bus/motor-backend';
import { VirtualServoBus } from '../../../core/hardware/virtual/servo-bus/virtual-servo-bus';

const dir = mkdtempSync(join(tmpdir(), 'pushcut-arms-'));
const IDS = [1, 2, 3, 4, 5, 6];
// Raw (un-offset) positions of each joint at its physical middle, and the +- travel around it.
const MIDDLE: Record<number, number> = { 1: 3000, 2: 1500, 3: 2048, 4: 2600, 5: 1000, 6: 2300 };
const TRAVEL = 700;

describe('SO-101 follower on the virtual Feetech bus', () => {
  let virt: VirtualServoBus;
  let backend: IdealMotorBackend;
  let cal: Calibration;
  const file = join(dir, 'so_follower', 'test_arm.json');

  beforeAll(async () => {
    backend = new IdealMotorBackend({ ids: IDS, initial: MIDDLE });
    virt = await VirtualServoBus.start({ protocol: 'feetech', backend });
  });
  afterAll(async () => {
    await virt?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects uncalibrated, configures the motors as LeRobot does, and asks for calibration', async () => {
    const arm = new SO101Follower({
      port: virt.devicePath,
      id: 'test_arm',
      calibrationFile: file,
      extraTimeoutMs: 30,
    });
    await arm.connect();
    try {
      expect(virt.register(1, 'Return_Delay_Time')).toBe(0);
      expect(virt.register(3, 'P_Coefficient')).toBe(16);
      expect(virt.register(3, 'D_Coefficient')).toBe(32);
      expect(virt.register(6, 'Max_Torque_Limit')).toBe(500);
      expect(virt.register(6, 'Overload_Torque')).toBe(25);
      expect(virt.register(2, 'Torque_Enable')).toBe(1);
      await expect(arm.observe()).rejects.toThrow(/not calibrated.*calibration wizard/);
    } finally {
      await arm.close();
    }
  });

  it('calibrates step by step: middle pose, recorded ranges, written to EEPROM and saved', async () => {
    const arm = new SO101Follower({
      port: virt.devicePath,
      id: 'test_arm',
      calibrationFile: file,
      extraTimeoutMs: 30,
    });
    await arm.connect();
    try {
      const flow = arm.calibrate();
      expect((await flow.start()).message).toMatch(/middle of its range/);
      expect(virt.register(1, 'Torque_Enable')).toBe(0);
      const homing = await flow.setMiddle();
      expect(homing.shoulder_pan).toBe(3000 - 2047);
      expect(homing.wrist_roll).toBe(1000 - 2047);
      expect((await flow.startRangeRecording()).message).toMatch(/shoulder_pan.*gripper/);
      for (const frac of [0, -1, -0.5, 0.3, 1, 0]) {
        for (const id of IDS) backend.setPosition(id, MIDDLE[id]! + frac * TRAVEL);
        await flow.sample();
      }
      cal = await flow.finish();
      expect(cal.shoulder_pan).toEqual({
        id: 1,
        drive_mode: 0,
        homing_offset: 953,
        range_min: 1347,
        range_max: 2747,
      });
      expect(cal.wrist_roll).toEqual({
        id: 5,
        drive_mode: 0,
        homing_offset: -1047,
        range_min: 0,
        range_max: 4095,
      });
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(cal);
      expect(virt.register(1, 'Homing_Offset')).toBe(953);
      expect(virt.register(1, 'Min_Position_Limit')).toBe(1347);
      expect(virt.register(1, 'Max_Position_Limit')).toBe(2747);
      expect(arm.isCalibrated).toBe(true);
      expect(virt.register(4, 'Torque_Enable')).toBe(1); // the follower holds again
    } finally {
      await arm.close();
    }
  });

  it('reconnects from the saved file: observes degrees and moves to commanded degrees', async () => {
    const arm = new SO101Follower({
      port: virt.devicePath,
      id: 'test_arm',
      calibrationFile: file,
      extraTimeoutMs: 30,
    });
    await arm.connect();
    try {
      expect(arm.features.limits[0]!.max).toBeCloseTo((700 * 360) / 4095, 6);
      expect(arm.features.limits[5]).toEqual({ min: 0, max: 100 });
      const obs = await arm.observe();
      for (const v of obs.state.slice(0, 4)) expect(Math.abs(v)).toBeLessThan(0.1);
      expect(obs.state[5]).toBeCloseTo(50, 0);
      await arm.act([30, -20, 10, 0, 90, 75]);
      await new Promise((r) => setTimeout(r, 400));
      const after = await arm.observe();
      for (const [i, v] of [30, -20, 10, 0, 90, 75].entries()) expect(after.state[i]!).toBeCloseTo(v, 0);
      // 30 degrees on shoulder_pan = 341 ticks above the middle in the motor's own frame.
      expect(Math.round(backend.position(1))).toBe(3000 + Math.round((30 * 4095) / 360));
      await arm.estop();
    } finally {
      await arm.close();
    }
  });

  it('with onFault "emit" a motor fault is reported without stopping observation', async () => {
    const arm = new SO101Follower({
      port: virt.devicePath,
      calibration: cal,
      onFault: 'emit',
      extraTimeoutMs: 30,
    });
    await arm.connect();
    try {
      const faults: { motor: string; faults: string[] }[] = [];
      arm.on('fault', (f: { motor: string; faults: string[] }) => faults.push(f));
      virt.inject({ statusError: { id: 3, error: 1 } });
      expect((await arm.observe()).state).toHaveLength(6);
      expect(faults[0]).toMatchObject({ motor: 'elbow_flex', faults: ['input voltage'] });
    } finally {
      virt.inject({ statusError: { id: 3, error: 0 } });
      await arm.close();
    }
  });

  it('an arm whose EEPROM differs from the file gets the file written on connect', async () => {
    const arm = new SO101Follower({
      port: virt.devicePath,
      calibration: { ...cal, elbow_flex: { ...cal.elbow_flex!, range_max: 2700 } },
    });
    await arm.connect();
    expect(virt.register(3, 'Max_Position_Limit')).toBe(2700);
    await arm.close();
  });
});

describe('Koch follower on the virtual Dynamixel bus', () => {
  it('calibrates with the Dynamixel homing sign, drive mode and two full-turn motors', async () => {
    const backend = new IdealMotorBackend({ ids: IDS, initial: MIDDLE });
    const virt = await VirtualServoBus.start({
      protocol: 'dynamixel',
      motors: [{ id: 1, model: 1060 }, { id: 2, model: 1060 }, 3, 4, 5, 6],
      backend,
    });
    const arm = new KochFollower({
      port: virt.devicePath,
      calibrationFile: join(dir, 'koch.json'),
      extraTimeoutMs: 30,
    });
    try {
      await arm.connect();
      const flow = arm.calibrate();
      await flow.start();
      const homing = await flow.setMiddle();
      expect(homing.shoulder_lift).toBe(2047 - 1500);
      // elbow_flex is inverted (Drive_Mode 1): Present = -Actual + offset
      expect(homing.elbow_flex).toBe(2047 + 2048);
      await flow.startRangeRecording();
      for (const frac of [0, -1, 1]) {
        for (const id of IDS) backend.setPosition(id, MIDDLE[id]! + frac * TRAVEL);
        await flow.sample();
      }
      const cal = await flow.finish();
      expect(cal.elbow_flex).toEqual({
        id: 3,
        drive_mode: 1,
        homing_offset: 4095,
        range_min: 1347,
        range_max: 2747,
      });
      expect(cal.shoulder_pan!.range_max).toBe(4095);
      expect(virt.register(3, 'Drive_Mode')).toBe(1);
      await arm.torque('on');
      await arm.act([0, 10, -10, 0, 0, 50]);
      await new Promise((r) => setTimeout(r, 400));
      const s = (await arm.observe()).state;
      expect(s[1]).toBeCloseTo(10, 0);
      expect(s[2]).toBeCloseTo(-10, 0);
      // A Koch leader (XL330-M077 motors): limp except the gripper, held half open as a trigger.
      const lv = await VirtualServoBus.start({
        protocol: 'dynamixel',
        motors: IDS.map((id) => ({ id, model: 1190 })),
      });
      const leader = new KochLeader({ port: lv.devicePath, calibration: cal, extraTimeoutMs: 30 });
      try {
        await leader.connect();
        expect(lv.register(2, 'Torque_Enable')).toBe(0);
        expect(lv.register(6, 'Torque_Enable')).toBe(1);
        expect(lv.register(6, 'Operating_Mode')).toBe(5);
        expect(lv.register(6, 'Goal_Position')).toBe(
          Math.round((cal.gripper!.range_min + cal.gripper!.range_max) / 2),
        );
      } finally {
        await leader.close();
        await lv.stop();
      }
    } finally {
      await arm.close();
      await virt.stop();
    }
  });
});
