import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SO101Follower } from '../../../core/hardware/arms/arms';
import { SimRobot } from '../../../core/hardware/sim/sim-robot';
import type { VirtualServoBus } from '../../../core/hardware/virtual/servo-bus/virtual-servo-bus';
import {
  startVirtualSo101,
  virtualSo101Calibration,
} from '../../../core/hardware/virtual/servo-bus/virtual-so101';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('virtual SO-101 backed by the MuJoCo SimRobot', () => {
  let sim: SimRobot;
  let virt: VirtualServoBus;
  let arm: SO101Follower;
  beforeAll(async () => {
    sim = new SimRobot({ cameras: false });
    await sim.connect();
    virt = await startVirtualSo101({ sim });
    arm = new SO101Follower({
      port: virt.devicePath,
      calibration: virtualSo101Calibration(),
      extraTimeoutMs: 30,
    });
    await arm.connect();
  });
  afterAll(async () => {
    await arm?.close();
    await virt?.stop();
    await sim?.close();
  });

  it('the serial driver reads the simulator’s joints in degrees', async () => {
    await sleep(100);
    const real = (await sim.observe()).state;
    const viaBus = (await arm.observe()).state;
    for (const [i, v] of real.entries()) expect(Math.abs(viaBus[i]! - v)).toBeLessThan(0.2);
  });

  it('goals sent over the bus move the simulated arm', async () => {
    const start = (await arm.observe()).state;
    const goal = [start[0]! + 15, start[1]! - 10, start[2]!, start[3]! - 10, start[4]!, 40];
    await arm.act(goal);
    let s: number[] = [];
    for (let k = 0; k < 60; k++) {
      await sleep(50);
      s = (await sim.observe()).state;
      if ([0, 1, 3].every((i) => Math.abs(s[i]! - goal[i]!) < 1)) break;
    }
    for (const i of [0, 1, 3]) expect(Math.abs(s[i]! - goal[i]!)).toBeLessThan(1);
  });
});
