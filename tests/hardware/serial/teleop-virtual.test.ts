import { afterEach, describe, expect, it } from 'vitest';
import { SO101Follower, SO101Leader } from '../../../core/hardware/arms/arms';
import type { Calibration } from '../../../core/hardware/arms/calibration';
import { ControlLoop } from '../../../core/hardware/control-loop';
import { SO101_JOINTS } from '../../../core/hardware/robot';
import { leaderFollowerTeleop } from '../../../core/hardware/teleop/leader-follower';
import { streamLeaderGoals } from '../../../core/hardware/teleop/leader-goal-source';
import type { TeleopLoop } from '../../../core/hardware/teleop/teleop-loop';
import { IdealMotorBackend } from '../../../core/hardware/virtual/servo-bus/motor-backend';
import { VirtualServoBus } from '../../../core/hardware/virtual/servo-bus/virtual-servo-bus';

const IDS = [1, 2, 3, 4, 5, 6];
const LEADER_MID: Record<number, number> = { 1: 2100, 2: 1900, 3: 2500, 4: 1600, 5: 2048, 6: 2200 };
const FOLLOWER_MID: Record<number, number> = { 1: 3000, 2: 1500, 3: 2048, 4: 2600, 5: 1000, 6: 2300 };
const calibrationFor = (mid: Record<number, number>): Calibration =>
  Object.fromEntries(
    SO101_JOINTS.map((j, i) => [
      j,
      {
        id: i + 1,
        drive_mode: 0,
        homing_offset: mid[i + 1]! - 2047,
        range_min: 2047 - 600,
        range_max: 2047 + 600,
      },
    ]),
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
};

interface Rig {
  leaderBus: VirtualServoBus;
  followerBus: VirtualServoBus;
  leaderMotors: IdealMotorBackend;
  followerMotors: IdealMotorBackend;
  leader: SO101Leader;
  follower: SO101Follower;
  teleop: TeleopLoop;
}
let rig: Rig | null = null;

async function makeRig(): Promise<Rig> {
  const leaderMotors = new IdealMotorBackend({ ids: IDS, initial: LEADER_MID });
  const followerMotors = new IdealMotorBackend({ ids: IDS, initial: FOLLOWER_MID, timeConstantMs: 20 });
  const leaderBus = await VirtualServoBus.start({ protocol: 'feetech', backend: leaderMotors });
  const followerBus = await VirtualServoBus.start({ protocol: 'feetech', backend: followerMotors });
  const leader = new SO101Leader({
    port: leaderBus.devicePath,
    calibration: calibrationFor(LEADER_MID),
    extraTimeoutMs: 30,
  });
  const follower = new SO101Follower({
    port: followerBus.devicePath,
    calibration: calibrationFor(FOLLOWER_MID),
    extraTimeoutMs: 30,
  });
  await leader.connect();
  await follower.connect();
  const teleop = leaderFollowerTeleop({ leader, follower, hz: 60 });
  rig = { leaderBus, followerBus, leaderMotors, followerMotors, leader, follower, teleop };
  return rig;
}

afterEach(async () => {
  if (!rig) return;
  await rig.teleop.stop();
  await rig.leader.close().catch(() => undefined);
  await rig.follower.close().catch(() => undefined);
  await rig.leaderBus.stop();
  await rig.followerBus.stop();
  rig = null;
});

/** Leader raw ticks for a pose in degrees (gripper in %), via its calibration. */
const leaderTicks = (deg: number[]) =>
  deg.map((d, i) =>
    i === 5 ? LEADER_MID[6]! - 600 + (d / 100) * 1200 : LEADER_MID[i + 1]! + (d * 4095) / 360,
  );

describe('leader arm drives the follower through the safety layer (two virtual buses)', () => {
  it('the follower tracks the leader, and dropped packets are retried without stopping', async () => {
    const r = await makeRig();
    const errors: Error[] = [];
    r.teleop.on('error', (e: Error) => errors.push(e));
    await r.teleop.start();
    const pose = [25, -15, 30, -10, 45, 80];
    leaderTicks(pose).forEach((t, i) => {
      r.leaderMotors.setPosition(i + 1, t);
    });
    const close = async () => {
      const s = (await r.follower.observe()).state;
      return s.every((v, i) => Math.abs(v - pose[i]!) < 1);
    };
    await until('the follower to reach the leader pose', close);
    expect(r.leaderBus.register(1, 'Torque_Enable')).toBe(0); // leader stays limp
    // Lose some of the leader's replies: retries hide it, the loop keeps going.
    r.leaderBus.inject({ dropReplies: 3, corruptReplies: 2 });
    const pose2 = [-20, 10, -5, 20, -30, 20];
    leaderTicks(pose2).forEach((t, i) => {
      r.leaderMotors.setPosition(i + 1, t);
    });
    await until('the follower to reach the second pose', async () => {
      const s = (await r.follower.observe()).state;
      return s.every((v, i) => Math.abs(v - pose2[i]!) < 1);
    });
    expect(r.leaderBus.counters.dropped).toBe(3);
    expect(r.leaderBus.counters.corrupted).toBe(2);
    expect(errors).toEqual([]);
    expect(r.teleop.isRunning).toBe(true);
    expect(r.teleop.stats.cycles).toBeGreaterThan(10);
  });

  it('a big leader jump is rate-limited by the safety layer, not passed through', async () => {
    const r = await makeRig();
    const targets: number[][] = [];
    r.teleop.on('tick', (t: { target: number[] }) => targets.push(t.target));
    await r.teleop.start();
    r.leaderMotors.setPosition(1, LEADER_MID[1]! + (40 * 4095) / 360);
    await until('the pan joint to arrive', () => (targets.at(-1)?.[0] ?? 0) > 39.5);
    const steps = targets.map((t, i) => (i === 0 ? 0 : t[0]! - targets[i - 1]![0]!));
    expect(Math.max(...steps)).toBeLessThanOrEqual(180 / 60 + 1e-9);
    expect(r.teleop.stats.clipped).toBeGreaterThan(5);
  });

  it('the leader port closing stops teleop with a clear error and the follower holds still', async () => {
    const r = await makeRig();
    const errors: Error[] = [];
    r.teleop.on('error', (e: Error) => errors.push(e));
    const stopped = new Promise<string>((resolve) => r.teleop.once('stopped', resolve));
    await r.teleop.start();
    r.leaderMotors.setPosition(2, LEADER_MID[2]! + 500);
    await sleep(100);
    r.leaderBus.inject({ closePort: true });
    expect(await stopped).toMatch(/teleop stopped: Serial port .* closed unexpectedly/);
    // (a read already in flight may first time out; the loop stops on the disconnect)
    expect(errors.some((e) => /disconnected.*USB cable/.test(e.message))).toBe(true);
    await sleep(150); // the hold goal is the position read at the stop; let the motor settle on it
    const a = (await r.follower.observe()).state;
    await sleep(300);
    const b = (await r.follower.observe()).state;
    for (const [i, v] of a.entries()) expect(Math.abs(b[i]! - v)).toBeLessThan(0.2); // within a tick or two
    expect(r.followerBus.register(2, 'Torque_Enable')).toBe(1); // holding, not limp
  });

  it('the follower port closing stops teleop and the follower reports disconnected', async () => {
    const r = await makeRig();
    const disconnected = new Promise<Error>((resolve) => r.follower.once('disconnected', resolve));
    const stopped = new Promise<string>((resolve) => r.teleop.once('stopped', resolve));
    await r.teleop.start();
    r.followerBus.inject({ closePort: true });
    expect((await disconnected).message).toMatch(/closed unexpectedly/);
    expect(await stopped).toMatch(/disconnected/);
    await expect(r.follower.observe()).rejects.toThrow(/closed unexpectedly/);
  });
});

describe('leader arm through the app ControlLoop', () => {
  it('streams leader goals into the loop; the loop moves the follower and holds when the leader is lost', async () => {
    const r = await makeRig();
    const loop = new ControlLoop(r.follower, {
      hz: 60,
      maxSpeed: [180, 180, 180, 180, 180, 300],
      watchdogMs: 200,
    });
    const leaderErrors: Error[] = [];
    loop.start((await r.follower.observe()).state);
    const stop = streamLeaderGoals(r.leader, loop, { hz: 60, onError: (e) => leaderErrors.push(e) });
    try {
      const pose = [10, 20, -15, 5, 0, 60];
      leaderTicks(pose).forEach((t, i) => {
        r.leaderMotors.setPosition(i + 1, t);
      });
      await until('the follower to follow through the ControlLoop', async () => {
        const s = (await r.follower.observe()).state;
        return s.every((v, i) => Math.abs(v - pose[i]!) < 1);
      });
      r.leaderBus.inject({ closePort: true });
      await until('the leader loss to be reported', () =>
        leaderErrors.some((e) => /closed unexpectedly/.test(e.message)),
      );
      await sleep(400); // past the watchdog
      const a = (await r.follower.observe()).state;
      await sleep(200);
      const b = (await r.follower.observe()).state;
      for (const [i, v] of a.entries()) expect(Math.abs(b[i]! - v)).toBeLessThan(0.2);
    } finally {
      stop();
      loop.stop();
    }
  });
});
