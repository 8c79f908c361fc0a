import { afterAll, describe, expect, it } from 'vitest';
import { camerasOf, withCameras } from '../../../core/hardware/cameras/with-cameras';
import { SimRobot } from '../../../core/hardware/sim/sim-robot';
import { FirstOrderRobot } from '../../helpers/first-order-robot';

const sim = new SimRobot({ task: 'press_button', cameras: { width: 32, height: 32 } });
afterAll(() => sim.close());

describe('withCameras', () => {
  it("adds a simulator's cameras to a camera-less arm and passes commands through", async () => {
    await sim.connect();
    const arm = new FirstOrderRobot();
    arm.features.cameras = [];
    const rig = withCameras(arm, camerasOf(sim));
    expect(rig.features.cameras.map((c) => c.name)).toEqual(['front', 'wrist']);
    expect(rig.features.joints).toEqual(arm.features.joints);
    await rig.connect();
    const obs = await rig.observe();
    const front = obs.images.front;
    expect(front?.width).toBe(32);
    expect(front?.data.length).toBe(32 * 32 * 3);
    expect(front?.data.some((v) => v > 0)).toBe(true);
    expect(obs.state.length).toBe(arm.features.joints.length);
  });

  it('refuses two cameras with the same name', () => {
    expect(() => withCameras(sim, camerasOf(sim))).toThrow(/given twice/);
  });
});
