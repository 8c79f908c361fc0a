import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamixelBus } from '../../../core/hardware/dynamixel/bus';
import { FeetechBus } from '../../../core/hardware/feetech/bus';
import { BusError } from '../../../core/hardware/serial/errors';
import { IdealMotorBackend } from '../../../core/hardware/virtual/servo-bus/motor-backend';
import { VirtualServoBus } from '../../../core/hardware/virtual/servo-bus/virtual-servo-bus';

const SO101 = {
  shoulder_pan: { id: 1, model: 777 },
  shoulder_lift: { id: 2, model: 777 },
  elbow_flex: { id: 3, model: 777 },
  wrist_flex: { id: 4, model: 777 },
  wrist_roll: { id: 5, model: 777 },
  gripper: { id: 6, model: 777 },
};
const names = Object.keys(SO101);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FeetechBus (real serialport) against the virtual Feetech bus on a socat pty', () => {
  let virt: VirtualServoBus;
  let backend: IdealMotorBackend;
  let bus: FeetechBus;

  beforeAll(async () => {
    backend = new IdealMotorBackend({
      ids: [1, 2, 3, 4, 5, 6],
      initial: { 1: 1100, 2: 1200, 3: 1300, 4: 1400, 5: 1500, 6: 1600 },
    });
    virt = await VirtualServoBus.start({ protocol: 'feetech', backend });
    bus = new FeetechBus({ path: virt.devicePath, motors: SO101, retries: 3, extraTimeoutMs: 30 });
    await bus.open();
  });
  afterAll(async () => {
    await bus?.close();
    await virt?.stop();
  });

  it('scan finds the six STS3215 motors by broadcast ping', async () => {
    const found = await bus.scan({ bauds: [1_000_000] });
    expect(found).toHaveLength(1);
    expect(found[0]!.baudRate).toBe(1_000_000);
    expect(found[0]!.motors).toEqual([1, 2, 3, 4, 5, 6].map((id) => ({ id, model: 777 })));
    await bus.verifyMotors();
  });

  it('reads and writes registers by name, with sign-magnitude values', async () => {
    expect(await bus.read('Model_Number', 'elbow_flex')).toBe(777);
    await bus.write('Homing_Offset', 'shoulder_lift', -300);
    expect(virt.register(2, 'Homing_Offset')).toBe(-300);
    expect(await bus.read('Homing_Offset', 'shoulder_lift')).toBe(-300);
    // Present = Actual - Homing_Offset
    expect(await bus.read('Present_Position', 'shoulder_lift')).toBe(1500);
    await bus.write('Homing_Offset', 'shoulder_lift', 0);
  });

  it('sync-reads six positions and sync-writes six goals that the motors follow', async () => {
    expect(await bus.syncRead('Present_Position')).toEqual({
      shoulder_pan: 1100,
      shoulder_lift: 1200,
      elbow_flex: 1300,
      wrist_flex: 1400,
      wrist_roll: 1500,
      gripper: 1600,
    });
    await bus.enableTorque();
    await bus.syncWrite('Goal_Position', Object.fromEntries(names.map((n, i) => [n, 2000 + i])));
    await new Promise((r) => setTimeout(r, 400));
    const pos = await bus.syncRead('Present_Position');
    names.forEach((n, i) => {
      expect(Math.abs(pos[n]! - (2000 + i))).toBeLessThanOrEqual(2);
    });
    await bus.disableTorque();
  });

  it('retries recover dropped and corrupted status packets', async () => {
    const retriesBefore = bus.stats.retries;
    virt.inject({ dropReplies: 2 });
    expect(await bus.read('Model_Number', 'gripper')).toBe(777);
    virt.inject({ corruptReplies: 1 });
    const pos = await bus.syncRead('Present_Position');
    expect(Object.keys(pos)).toHaveLength(6);
    expect(bus.stats.retries - retriesBefore).toBeGreaterThanOrEqual(3);
    expect(virt.counters.dropped).toBe(2);
    expect(virt.counters.corrupted).toBeGreaterThanOrEqual(1);
  });

  it('a reply that arrives after its timeout is never taken for the next request’s reply', async () => {
    await bus.write('Homing_Offset', 'shoulder_lift', -300);
    const present = await bus.read('Present_Position', 'shoulder_lift');
    // The first attempt's reply comes 120 ms late, after the retry already got its answer.
    virt.inject({ delayReplies: 1, delayMs: 120 });
    expect(await bus.read('Homing_Offset', 'shoulder_lift')).toBe(-300);
    // The next read waits for its own (dropped) reply while the late one arrives. Same motor, same
    // size: without draining, the stale Homing_Offset reply would be read as the position (-300).
    virt.inject({ dropReplies: 1 });
    expect(await bus.read('Present_Position', 'shoulder_lift')).toBe(present);
    await sleep(150);
    expect(await bus.read('Present_Position', 'shoulder_lift')).toBe(present);
    await bus.write('Homing_Offset', 'shoulder_lift', 0);
  });

  it('an adapter that echoes what it sends does not confuse replies', async () => {
    virt.inject({ echo: true });
    try {
      // The echoed READ (FF FF 03 04 02 38 02 ..) parses like a status packet of id 3 with 2 data bytes.
      expect(await bus.read('Present_Position', 'elbow_flex')).toBe(virt.register(3, 'Present_Position'));
      expect(await bus.read('ID', 'elbow_flex')).toBe(3);
      await bus.write('Acceleration', 'elbow_flex', 100);
      expect(Object.keys(await bus.syncRead('Present_Position'))).toHaveLength(6);
    } finally {
      virt.inject({ echo: false });
    }
  });

  it('a motor that stops answering gives an error naming motor and register', async () => {
    virt.inject({ silentIds: [4] });
    const err = await bus.syncRead('Present_Position').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusError);
    expect((err as BusError).code).toBe('timeout');
    expect((err as BusError).message).toMatch(/wrist_flex \(id 4\).*Present_Position.*4 tries/);
    virt.inject({ silentIds: [] });
    expect(await bus.read('ID', 'wrist_flex')).toBe(4);
  });

  it('scan tries each baud rate in turn and restores the port’s rate when nobody answers', async () => {
    virt.inject({ silentIds: [1, 2, 3, 4, 5, 6] });
    const sent = bus.stats.bytesOut;
    expect(await bus.scan({ bauds: [115_200, 1_000_000, 500_000] })).toEqual([]);
    expect(bus.stats.bytesOut - sent).toBe(3 * 6); // one broadcast PING per baud rate
    expect(bus.baudRate).toBe(1_000_000);
    virt.inject({ silentIds: [] });
    expect(await bus.read('ID', 'gripper')).toBe(6);
  });

  it('a fault bit in a status packet is reported by name', async () => {
    virt.inject({ statusError: { id: 3, error: 4 | 32 } });
    const err = await bus.read('Present_Position', 'elbow_flex').catch((e: unknown) => e);
    expect((err as BusError).code).toBe('motor-fault');
    expect((err as BusError).message).toMatch(
      /elbow_flex \(id 3\) reported overheat, overload while reading Present_Position/,
    );
    virt.inject({ statusError: { id: 3, error: 0 } });
  });

  it('unknown registers and out-of-range values are refused before anything is sent', async () => {
    await expect(bus.read('Present_Pos', 'gripper')).rejects.toThrow(
      /Unknown feetech register "Present_Pos"/,
    );
    await expect(bus.write('Homing_Offset', 'gripper', 3000)).rejects.toThrow(/Homing_Offset of gripper/);
  });
});

describe('DynamixelBus against the virtual Dynamixel bus', () => {
  let virt: VirtualServoBus;
  let bus: DynamixelBus;
  beforeAll(async () => {
    virt = await VirtualServoBus.start({
      protocol: 'dynamixel',
      motors: [{ id: 1, model: 1060 }, { id: 2, model: 1060 }, 3, 4, 5, 6],
      backend: new IdealMotorBackend({ ids: [1, 2, 3, 4, 5, 6], initial: 2048 }),
    });
    bus = new DynamixelBus({
      path: virt.devicePath,
      baudRate: 57_600,
      motors: Object.fromEntries(names.map((n, i) => [n, { id: i + 1 }])),
      // the same headroom as the Feetech bus above: the full suite loads both cores
      retries: 3,
      extraTimeoutMs: 30,
    });
    await bus.open();
  });
  afterAll(async () => {
    await bus?.close();
    await virt?.stop();
  });

  it('scans, reads two’s complement values and follows sync-written goals', async () => {
    const [found] = await bus.scan({ bauds: [57_600] });
    expect(found!.motors.map((m) => m.model)).toEqual([1060, 1060, 1200, 1200, 1200, 1200]);
    await bus.write('Homing_Offset', 'elbow_flex', -2200);
    expect(await bus.read('Homing_Offset', 'elbow_flex')).toBe(-2200);
    expect(await bus.read('Present_Position', 'elbow_flex')).toBe(-152); // Actual + Homing_Offset
    await bus.enableTorque();
    await bus.syncWrite('Goal_Position', { shoulder_pan: 3000, elbow_flex: -100 }); // -100 is below Min_Position_Limit 0
    await new Promise((r) => setTimeout(r, 400));
    const pos = await bus.syncRead('Present_Position', ['shoulder_pan', 'elbow_flex']);
    expect(Math.abs(pos.shoulder_pan! - 3000)).toBeLessThanOrEqual(2);
    expect(Math.abs(pos.elbow_flex!)).toBeLessThanOrEqual(2);
    virt.inject({ corruptReplies: 1, dropReplies: 1 });
    expect(await bus.read('Model_Number', 'gripper')).toBe(1200);
  });
});

describe('port disappearing mid-session', () => {
  it('rejects the pending and later requests with a clear disconnected error and emits it once', async () => {
    const virt = await VirtualServoBus.start({ protocol: 'feetech' });
    const bus = new FeetechBus({ path: virt.devicePath, motors: SO101 });
    try {
      await bus.open();
      const events: BusError[] = [];
      bus.on('disconnected', (e: BusError) => events.push(e));
      expect(await bus.read('ID', 'gripper')).toBe(6);
      virt.inject({ closePort: true });
      await new Promise((r) => setTimeout(r, 300));
      const err = await bus.syncRead('Present_Position').catch((e: unknown) => e);
      expect((err as BusError).code).toBe('disconnected');
      expect((err as BusError).message).toMatch(/closed unexpectedly.*disconnected.*USB cable/);
      expect(events).toHaveLength(1);
      expect(bus.isOpen).toBe(false);
    } finally {
      await bus.close();
      await virt.stop();
    }
  });
});

describe('virtual bus robustness', () => {
  it('survives 2000 random and malformed frames, then still answers correctly', async () => {
    const { SerialPort } = await import('serialport');
    const { feetechPacket } = await import('../../../core/hardware/feetech/protocol');
    const virt = await VirtualServoBus.start({ protocol: 'feetech' });
    const raw = new SerialPort({ path: virt.devicePath, baudRate: 1_000_000, autoOpen: false });
    await new Promise<void>((resolve, reject) => raw.open((e) => (e ? reject(e) : resolve())));
    raw.on('data', () => undefined);
    let seed = 3;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    for (let k = 0; k < 2000; k++) {
      const params = Array.from({ length: rnd(6) }, () => rnd(256));
      const frame = rnd(2)
        ? feetechPacket(rnd(8), [1, 2, 3, 0x82, 0x83, rnd(256)][rnd(6)]!, params)
        : Buffer.from(params);
      raw.write(Buffer.from(frame));
    }
    await new Promise<void>((resolve) => raw.drain(() => resolve()));
    // Let the emulator work through the backlog before this port closes (closing drops unread bytes).
    for (let i = 0; i < 200 && virt.counters.requests < 900; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise<void>((resolve) => raw.close(() => resolve()));
    const bus = new FeetechBus({ path: virt.devicePath, motors: SO101 });
    try {
      await bus.open();
      await bus.write('Torque_Enable', 'gripper', 0);
      expect(await bus.read('ID', 'gripper')).toBe(6);
      expect(virt.counters.requests).toBeGreaterThan(900);
    } finally {
      await bus.close();
      await virt.stop();
    }
  });
});
