import { describe, expect, it } from 'vitest';
import { setupMotor, setupOrder } from '../../../core/hardware/arms/motor-setup';
import { SO101_FOLLOWER } from '../../../core/hardware/arms/so101';
import { FeetechBus } from '../../../core/hardware/feetech/bus';
import { IdealMotorBackend } from '../../../core/hardware/virtual/servo-bus/motor-backend';
import { VirtualServoBus } from '../../../core/hardware/virtual/servo-bus/virtual-servo-bus';

describe('motor setup (new motors come with id 1)', () => {
  it('gives the single connected motor its id, refuses when two are connected', async () => {
    expect(setupOrder(SO101_FOLLOWER)[0]).toBe('gripper');
    const virt = await VirtualServoBus.start({
      protocol: 'feetech',
      motors: [1],
      backend: new IdealMotorBackend({ ids: [1], initial: 1234 }),
    });
    const bus = new FeetechBus({ path: virt.devicePath, motors: {}, extraTimeoutMs: 30 });
    try {
      await bus.open();
      const r = await setupMotor(bus, SO101_FOLLOWER, 'gripper', { bauds: [1_000_000] });
      expect(r).toMatchObject({ previousId: 1, id: 6, baudRate: 1_000_000 });
      expect(virt.register(6, 'ID')).toBe(6);
      expect(virt.register(6, 'Present_Position')).toBe(1234); // same motor, new id
      const found = await bus.scan({ bauds: [1_000_000] });
      expect(found[0]!.motors).toEqual([{ id: 6, model: 777 }]);
    } finally {
      await bus.close();
      await virt.stop();
    }
    const two = await VirtualServoBus.start({ protocol: 'feetech', motors: [1, 6] });
    const bus2 = new FeetechBus({ path: two.devicePath, motors: {}, extraTimeoutMs: 30 });
    try {
      await bus2.open();
      await expect(setupMotor(bus2, SO101_FOLLOWER, 'wrist_roll', { bauds: [1_000_000] })).rejects.toThrow(
        /2 motors answered.*connect only the wrist_roll motor/,
      );
    } finally {
      await bus2.close();
      await two.stop();
    }
  });
});
