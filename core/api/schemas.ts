import { z } from 'zod';

/**
 * The app's one contract: every command's arguments and result, every event's payload, as zod
 * schemas. Both shells (Electron IPC, web-mode WebSocket) carry exactly these, and the Studio
 * validates every command's arguments where they cross the boundary.
 */

const empty = z.object({}).strict();
const finite = z.number().finite();

export const BackendId = z.enum(['sim', 'feetech', 'dynamixel', 'ros']);

export const ConnectionState = z.enum(['disconnected', 'connecting', 'connected', 'reconnecting', 'error']);

export const SimConnectOptions = z
  .object({
    task: z.string().min(1).default('lift_red_cube'),
    cameraSize: z.number().int().min(16).max(640).default(64),
    controlHz: z.number().int().min(1).max(200).default(30),
    seed: z.number().int().min(0).default(0),
  })
  .strict();

export const ConnectArgs = z.discriminatedUnion('backend', [
  z
    .object({ backend: z.literal('sim'), options: SimConnectOptions.default(SimConnectOptions.parse({})) })
    .strict(),
  z
    .object({
      backend: z.enum(['feetech', 'dynamixel']),
      options: z.object({ port: z.string().min(1), arm: z.string().default('so101') }).strict(),
    })
    .strict(),
  z
    .object({
      backend: z.literal('ros'),
      options: z.object({ url: z.string().min(1), preset: z.string().optional() }).strict(),
    })
    .strict(),
]);

export const JointInfo = z.object({ name: z.string(), min: z.number(), max: z.number(), unit: z.string() });

export const RobotDescription = z.object({
  backend: BackendId,
  robotType: z.string(),
  joints: z.array(JointInfo),
  cameras: z.array(z.object({ name: z.string(), width: z.number(), height: z.number() })),
});

export const BackendInfo = z.object({
  id: BackendId,
  label: z.string(),
  available: z.boolean(),
  detail: z.string(),
});

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  shell: z.enum(['electron', 'web', 'test']),
  node: z.string(),
  platform: z.string(),
});

export const SimTask = z.object({ id: z.string(), instruction: z.string(), maxSteps: z.number() });

export const MoveArgs = z.object({ target: z.array(finite).min(1).max(32) }).strict();
export const MoveResult = z.object({ target: z.array(z.number()), clipped: z.boolean() });

export const Image = z.object({
  width: z.number().int(),
  height: z.number().int(),
  /** RGB bytes, base64: small display frames only, throttled. */
  rgb: z.string(),
});

export const ObservationEvent = z.object({
  t: z.number(),
  state: z.array(z.number()),
  images: z.record(z.string(), Image),
});

export const ConnectionEvent = z.object({
  state: ConnectionState,
  backend: BackendId.nullable(),
  robot: RobotDescription.nullable(),
  message: z.string(),
});

export const MetricsEvent = z.object({ fps: z.number(), latencyMs: z.number(), estop: z.boolean() });

export const LogEvent = z.object({
  t: z.number(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  source: z.string(),
  message: z.string(),
});

export const JobEvent = z.object({
  id: z.string(),
  kind: z.string(),
  state: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  progress: z.number().min(0).max(1),
  message: z.string(),
});

export const commandSchemas = {
  'app.info': { args: empty, result: AppInfo },
  'robot.backends': { args: empty, result: z.array(BackendInfo) },
  'sim.tasks': { args: empty, result: z.array(SimTask) },
  'robot.connect': { args: ConnectArgs, result: RobotDescription },
  'robot.disconnect': { args: empty, result: z.object({ ok: z.literal(true) }) },
  'robot.status': { args: empty, result: ConnectionEvent },
  'robot.move': { args: MoveArgs, result: MoveResult },
  'robot.estop': { args: empty, result: z.object({ ok: z.literal(true) }) },
  'robot.release': { args: empty, result: z.object({ ok: z.literal(true) }) },
  'jobs.list': { args: empty, result: z.array(JobEvent) },
  'logs.recent': {
    args: z.object({ limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    result: z.array(LogEvent),
  },
} as const;

export const eventSchemas = {
  observation: ObservationEvent,
  connection: ConnectionEvent,
  metrics: MetricsEvent,
  log: LogEvent,
  job: JobEvent,
} as const;
