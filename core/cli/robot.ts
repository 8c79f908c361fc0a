import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ROS_PRESETS } from '../api/default-providers';
import { ControlLoop } from '../hardware/control-loop';
import type { Robot } from '../hardware/robot';
import type { Teleoperator } from '../hardware/teleop/teleoperator';
import { CliError } from './errors';

/** How the CLI reaches a robot: the simulator, a servo bus on a serial port, or a rosbridge URL. */
export type RobotTarget = { kind: 'sim' } | { kind: 'serial'; port: string } | { kind: 'ros'; url: string };

export interface RobotFlags {
  robot: string;
  protocol: 'feetech' | 'dynamixel';
  calibration?: string;
  robotId: string;
  busTimeout?: number;
  rosPreset: string;
  camera: string[];
  cameraSize?: number;
}

const PRESETS = ROS_PRESETS.map((p) => p.id) as string[];

export function parseRobotTarget(value: string): RobotTarget {
  if (value === 'sim') return { kind: 'sim' };
  if (/^wss?:\/\//.test(value)) return { kind: 'ros', url: value };
  if (value.startsWith('/') || /^COM\d+$/i.test(value)) return { kind: 'serial', port: value };
  throw new CliError(
    `--robot "${value}" is not a backend: give sim, a serial device path (/dev/ttyACM0) or a rosbridge URL (ws://host:9090)`,
    2,
  );
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function busTimeout(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 5000)
    throw new CliError(`--bus-timeout must be 0..5000 ms, got "${v}"`, 2);
  return n;
}

/** The robot options shared by record, eval and train rl. */
export function robotOptions(cmd: Command): Command {
  return cmd
    .option(
      '--robot <backend>',
      'sim, a serial servo-bus device (/dev/ttyACM0) or a rosbridge URL (ws://host:9090)',
      'sim',
    )
    .option('--protocol <p>', 'serial arm: feetech (SO-101/SO-100) or dynamixel (Koch)', 'feetech')
    .option(
      '--calibration <file>',
      "serial arm: LeRobot calibration JSON (default: LeRobot's file for --robot-id)",
    )
    .option('--robot-id <id>', 'serial arm: its LeRobot id (names its calibration file)', 'default')
    .option(
      '--bus-timeout <ms>',
      'serial arms: extra wait per packet (slow USB adapters, a busy machine)',
      busTimeout,
    )
    .option('--ros-preset <preset>', `ROS robot: ${PRESETS.join(', ')}`, 'ros2ControlTrajectory')
    .option(
      '--camera <name=source>',
      'rig camera, repeatable: front=/dev/video0, wrist=lavfi:testsrc=size=64x64:rate=30',
      collect,
      [],
    );
}

export interface OpenedRobot {
  robot: Robot;
  loop: ControlLoop;
  /** A short name for messages: "SO-101 on /dev/ttyACM0". */
  label: string;
  close(): Promise<void>;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function loadCalibrationFile(path: string) {
  const { loadCalibration } = await import('../hardware/serial');
  const file = resolve(path);
  if (!existsSync(file))
    throw new CliError(
      `No calibration file at ${file}: calibrate the arm with \`pushcut bus calibrate <port> -o ${path}\``,
    );
  try {
    return loadCalibration(file);
  } catch (err) {
    throw new CliError(`${file} is not a LeRobot calibration file (${message(err)})`);
  }
}

/**
 * Connect to a serial or ROS robot, add the rig cameras, and start the app's control loop (the
 * only caller of `Robot.act`, behind the safety layer). Errors say what failed and what to do.
 */
export async function openHardwareRobot(
  flags: RobotFlags,
  defaults: { cameraSize: number },
): Promise<OpenedRobot> {
  const target = parseRobotTarget(flags.robot);
  if (target.kind === 'sim') throw new Error('openHardwareRobot is for serial and ROS robots');
  if (flags.protocol !== 'feetech' && flags.protocol !== 'dynamixel')
    throw new CliError(`--protocol must be feetech or dynamixel, got "${flags.protocol}"`, 2);
  const { parseCameraSpec, openFfmpegCameras } = await import('../hardware/cameras/ffmpeg-camera');
  const { withCameras } = await import('../hardware/cameras/with-cameras');
  const specs = flags.camera.map((c) => {
    try {
      return parseCameraSpec(c);
    } catch (err) {
      throw new CliError(`--camera ${message(err)}`, 2);
    }
  });

  // a missing webcam is found before any motor moves
  for (const c of specs)
    if (c.source.startsWith('/dev/') && !existsSync(c.source))
      throw new CliError(
        `camera "${c.name}": ${c.source} does not exist (plug the webcam in and check \`ls /dev/video*\` for its device path)`,
      );

  let base: Robot;
  let label: string;
  if (target.kind === 'serial') {
    const { port } = target;
    if (!existsSync(port))
      throw new CliError(
        `No serial port at ${port}: plug in the arm's USB adapter, then find its path with \`pushcut bus ports\``,
      );
    const cal = flags.calibration ? await loadCalibrationFile(flags.calibration) : undefined;
    const { KochFollower, SO101Follower } = await import('../hardware/serial');
    const opts = {
      port,
      id: flags.robotId,
      ...(cal ? { calibration: cal } : {}),
      ...(flags.busTimeout !== undefined ? { extraTimeoutMs: flags.busTimeout } : {}),
    };
    base = flags.protocol === 'dynamixel' ? new KochFollower(opts) : new SO101Follower(opts);
    label = `${flags.protocol === 'dynamixel' ? 'Koch' : 'SO-101'} on ${port}`;
    try {
      await base.connect();
    } catch (err) {
      await base.close().catch(() => undefined);
      throw new CliError(
        `Could not connect to the ${label}: ${message(err)} (check power and the --protocol; \`pushcut bus scan ${port}\` lists the motors that answer)`,
      );
    }
    if (!(base as { isCalibrated?: boolean }).isCalibrated) {
      await base.close();
      throw new CliError(
        `The ${label} is not calibrated: run \`pushcut bus calibrate ${port} -o arm.json\` and pass --calibration arm.json`,
      );
    }
  } else {
    if (!PRESETS.includes(flags.rosPreset))
      throw new CliError(`--ros-preset must be one of ${PRESETS.join(', ')}, got "${flags.rosPreset}"`, 2);
    const { RosRobot } = await import('../hardware/ros');
    const { rosConfig } = await import('../api/default-providers');
    label = `ROS robot at ${target.url}`;
    base = new RosRobot(
      rosConfig(target.url, flags.rosPreset as (typeof ROS_PRESETS)[number]['id'], {
        connectTimeoutMs: 4000,
      }),
    );
    try {
      await base.connect();
    } catch (err) {
      await base.close().catch(() => undefined);
      const m = message(err);
      // RosRobot's errors already say what to do; add it only where they do not
      const fix = /\(.*\)$/.test(m)
        ? ''
        : ' (start rosbridge_server on the robot — `ros2 launch rosbridge_server rosbridge_websocket_launch.xml` — and check the host and port)';
      throw new CliError(`Could not connect to the ${label}: ${m}${fix}`);
    }
  }

  const size = flags.cameraSize ?? defaults.cameraSize;
  let cameras: Awaited<ReturnType<typeof openFfmpegCameras>>;
  try {
    cameras = await openFfmpegCameras(specs, { width: size, height: size });
  } catch (err) {
    await base.close().catch(() => undefined);
    throw new CliError(message(err));
  }
  let robot: Robot;
  try {
    robot = withCameras(base, cameras);
  } catch (err) {
    await Promise.all(cameras.map((c) => c.close()));
    await base.close().catch(() => undefined);
    throw new CliError(message(err), 2);
  }
  const f = robot.features;
  const loop = new ControlLoop(robot, {
    hz: 30,
    maxSpeed: f.joints.map((j) => (j === 'gripper' ? 200 : 120)),
    watchdogMs: 500,
  });
  // a failing robot or camera fails every tick: say each distinct problem once
  let lastError = '';
  loop.onError((err) => {
    if (err.message === lastError) return;
    lastError = err.message;
    console.error(`${label}: ${err.message}`);
  });
  loop.start((await robot.observe()).state);
  let closed = false;
  return {
    robot,
    loop,
    label,
    async close() {
      if (closed) return;
      closed = true;
      loop.stop();
      await robot.close().catch(() => undefined);
    },
  };
}

/** The leader arm (`--leader <port>`) that teleoperates the follower. */
export async function openLeader(
  port: string,
  flags: { protocol: string; leaderCalibration?: string; leaderId?: string; busTimeout?: number },
): Promise<Teleoperator & { close(): Promise<void> }> {
  if (!existsSync(port))
    throw new CliError(
      `No leader arm at ${port}: plug in its USB adapter, then find its path with \`pushcut bus ports\``,
    );
  const { KochLeader, SO101Leader } = await import('../hardware/serial');
  const cal = flags.leaderCalibration ? await loadCalibrationFile(flags.leaderCalibration) : undefined;
  const opts = {
    port,
    id: flags.leaderId ?? 'default',
    ...(cal ? { calibration: cal } : {}),
    ...(flags.busTimeout !== undefined ? { extraTimeoutMs: flags.busTimeout } : {}),
  };
  const leader = flags.protocol === 'dynamixel' ? new KochLeader(opts) : new SO101Leader(opts);
  try {
    await leader.connect();
  } catch (err) {
    await leader.close().catch(() => undefined);
    throw new CliError(`Could not connect to the leader arm on ${port}: ${message(err)}`);
  }
  if (!leader.isCalibrated) {
    await leader.close();
    throw new CliError(
      `The leader arm on ${port} is not calibrated: run \`pushcut bus calibrate ${port} --leader -o leader.json\` and pass --leader-calibration leader.json`,
    );
  }
  return leader;
}
