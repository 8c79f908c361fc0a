import type { CameraFrame, Observation, Robot, RobotFeatures } from '../robot';

/** A camera that is not part of the robot's own driver: a USB webcam, a simulator view. */
export interface CameraSource {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** The newest frame, or null before the first one. */
  grab(): Promise<CameraFrame | null>;
  close(): Promise<void>;
}

/**
 * A robot with extra cameras: a servo-bus arm plus the webcams on its rig. Observations carry the
 * robot's own images plus one frame per source; everything else passes straight through.
 */
export function withCameras(robot: Robot, sources: CameraSource[]): Robot {
  if (!sources.length) return robot;
  const taken = new Set(robot.features.cameras.map((c) => c.name));
  for (const s of sources) {
    if (taken.has(s.name))
      throw new Error(`camera "${s.name}" is given twice: give each camera of the rig its own name`);
    taken.add(s.name);
  }
  const features: RobotFeatures = {
    ...robot.features,
    cameras: [
      ...robot.features.cameras,
      ...sources.map(({ name, width, height }) => ({ name, width, height })),
    ],
  };
  const blank = (s: CameraSource): CameraFrame => ({
    width: s.width,
    height: s.height,
    data: new Uint8Array(s.width * s.height * 3),
  });
  return {
    backend: robot.backend,
    features,
    connect: () => robot.connect(),
    async observe(): Promise<Observation> {
      const [obs, frames] = await Promise.all([robot.observe(), Promise.all(sources.map((s) => s.grab()))]);
      const images = { ...obs.images };
      sources.forEach((s, i) => {
        images[s.name] = frames[i] ?? blank(s);
      });
      return { ...obs, images };
    },
    act: (target) => robot.act(target),
    torque: (mode) => robot.torque(mode),
    estop: () => robot.estop(),
    async close() {
      await Promise.all(sources.map((s) => s.close()));
      await robot.close();
    },
  };
}

/**
 * The cameras of another robot (a simulator mirrored by a virtual servo bus) as camera sources:
 * the virtual rig sees the same scene the virtual motors move in.
 */
export function camerasOf(robot: Robot): CameraSource[] {
  let pending: Promise<Observation> | null = null;
  const observeOnce = () => {
    pending ??= robot.observe().finally(() => {
      pending = null;
    });
    return pending;
  };
  return robot.features.cameras.map(({ name, width, height }) => ({
    name,
    width,
    height,
    grab: async () => (await observeOnce()).images[name] ?? null,
    close: async () => {},
  }));
}
