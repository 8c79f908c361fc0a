import { afterAll, describe, expect, it } from 'vitest';
import {
  FfmpegCamera,
  openFfmpegCameras,
  parseCameraSpec,
} from '../../../core/hardware/cameras/ffmpeg-camera';
import { withCameras } from '../../../core/hardware/cameras/with-cameras';
import { SimRobot } from '../../../core/hardware/sim/sim-robot';

const open: FfmpegCamera[] = [];
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
});

describe('FfmpegCamera', { timeout: 60_000 }, () => {
  it('streams a lavfi picture as rgb24 frames of the asked size and keeps the newest', async () => {
    const cam = new FfmpegCamera({
      name: 'front',
      source: 'lavfi:color=c=red:size=32x32:rate=30',
      width: 16,
      height: 8,
    });
    open.push(cam);
    await cam.open();
    const f = await cam.grab();
    expect(f).toMatchObject({ width: 16, height: 8 });
    expect(f!.data.length).toBe(16 * 8 * 3);
    // pure red, up to colour conversion
    expect(f!.data[0]).toBeGreaterThan(200);
    expect(f!.data[1]).toBeLessThan(40);
    // the frame is replaced as new ones arrive
    await new Promise((r) => setTimeout(r, 200));
    expect(await cam.grab()).not.toBe(f);
    await cam.close();
  });

  it('adds its frames to a robot observation beside the robot state', async () => {
    const sim = new SimRobot({ cameras: false, task: 'press_button' });
    await sim.connect();
    const [front, wrist] = await openFfmpegCameras(
      [
        { name: 'front', source: 'lavfi:testsrc=size=64x64:rate=30' },
        { name: 'wrist', source: 'lavfi:testsrc2=size=64x64:rate=30' },
      ],
      { width: 24, height: 24 },
    );
    open.push(front!, wrist!);
    const robot = withCameras(sim, [front!, wrist!]);
    const obs = await robot.observe();
    expect(obs.state).toHaveLength(6);
    expect(Object.keys(obs.images).sort()).toEqual(['front', 'wrist']);
    expect(obs.images.wrist!.data.length).toBe(24 * 24 * 3);
    await robot.close();
  });

  it('names a missing webcam device and a failing ffmpeg input', async () => {
    const missing = new FfmpegCamera({ name: 'front', source: '/dev/video99', width: 8, height: 8 });
    await expect(missing.open()).rejects.toThrow(/\/dev\/video99 does not exist.*ls \/dev\/video/);
    const bad = new FfmpegCamera({ name: 'wrist', source: 'lavfi:nosuchfilter', width: 8, height: 8 });
    await expect(bad.open()).rejects.toThrow(/camera "wrist": ffmpeg stopped reading lavfi:nosuchfilter/);
    expect(() => parseCameraSpec('front')).toThrow(/not name=source.*front=\/dev\/video0/);
    expect(parseCameraSpec('wrist=lavfi:testsrc=size=8x8')).toEqual({
      name: 'wrist',
      source: 'lavfi:testsrc=size=8x8',
    });
  });
});
