import { z } from 'zod';
import { INSTRUCTION_ENCODERS } from '../../models/tiny-vla/config';
import { RL_TEMPERATURE } from '../rl/temperature';

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
    /** Objects within this many metres of one nominal scene (LIBERO-style); default anywhere. */
    layoutSpread: z.number().min(0).max(0.1).optional(),
  })
  .strict();

export const RosPreset = z.enum(['ros2ControlTrajectory', 'ros2ControlForward', 'pushcutSim']);

export const ConnectArgs = z.discriminatedUnion('backend', [
  z
    .object({ backend: z.literal('sim'), options: SimConnectOptions.default(SimConnectOptions.parse({})) })
    .strict(),
  z
    .object({
      backend: z.enum(['feetech', 'dynamixel']),
      options: z
        .object({
          port: z.string().min(1),
          arm: z.enum(['so101', 'so100', 'koch']).default('so101'),
          /** Names the calibration file, as LeRobot's robot id does. */
          id: z
            .string()
            .regex(/^[\w.-]{1,64}$/)
            .default('default'),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      backend: z.literal('ros'),
      options: z
        .object({
          url: z.string().min(1),
          preset: RosPreset.default('ros2ControlTrajectory'),
          /** Fields that replace the preset's (topics, cameras, joint-name map…). */
          overrides: z.record(z.string(), z.unknown()).default({}),
        })
        .strict(),
    })
    .strict(),
]);

export const JointInfo = z.object({ name: z.string(), min: z.number(), max: z.number(), unit: z.string() });

export const RobotDescription = z.object({
  backend: BackendId,
  robotType: z.string(),
  /** False for a servo arm without a calibration: it must be calibrated before it can move. */
  calibrated: z.boolean(),
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
  /** The simulator's task and whether the scene satisfies it now (null on hardware). */
  task: z
    .object({ id: z.string(), instruction: z.string(), success: z.boolean(), expert: z.boolean() })
    .nullable(),
  state: z.array(z.number()),
  images: z.record(z.string(), Image),
});

export const ConnectionEvent = z.object({
  state: ConnectionState,
  backend: BackendId.nullable(),
  robot: RobotDescription.nullable(),
  message: z.string(),
});

export const MetricsEvent = z.object({
  fps: z.number(),
  latencyMs: z.number(),
  estop: z.boolean(),
  /** Per-topic rate and latency for backends that subscribe to topics (ROS). */
  topics: z.array(z.object({ topic: z.string(), ratePerSec: z.number(), latencyMs: z.number().nullable() })),
});

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

const datasetName = z.string().min(1).max(64);
const episodeIndex = z.number().int().min(0);

export const RecordingProgress = z.object({
  dataset: z.string().nullable(),
  state: z.enum(['idle', 'recording', 'saving', 'error', 'closed']),
  episodeIndex: z.number().nullable(),
  task: z.string().nullable(),
  frames: z.number(),
  seconds: z.number(),
  dropped: z.number(),
  missed: z.number(),
  totalEpisodes: z.number(),
  totalFrames: z.number(),
  lastSaveMs: z.number().nullable(),
  error: z.string().nullable(),
});

export const DatasetSummary = z.object({
  name: z.string(),
  episodes: z.number(),
  frames: z.number(),
  fps: z.number(),
  robotType: z.string(),
  problem: z.string().nullable(),
});

export const EpisodeSummary = z.object({
  index: z.number(),
  length: z.number(),
  seconds: z.number(),
  tasks: z.array(z.string()),
  success: z.boolean().nullable(),
  source: z.string().nullable(),
  policyVersion: z.string().nullable(),
  note: z.string().nullable(),
  tags: z.array(z.string()),
  recordedAt: z.string().nullable(),
});

export const EpisodeFilterArgs = z
  .object({
    tag: z.string().optional(),
    task: z.string().optional(),
    source: z.string().optional(),
    success: z.boolean().nullable().optional(),
  })
  .strict();

const ok = z.object({ ok: z.literal(true) });
const runName = z.string().min(1).max(64);

export const RunRecord = z.object({
  name: z.string(),
  kind: z.enum(['sft', 'rl']),
  createdAt: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  dataset: z.string().optional(),
  from: z.string().optional(),
  config: z.record(z.string(), z.unknown()),
  result: z.record(z.string(), z.unknown()).optional(),
  evaluation: z
    .object({
      at: z.string(),
      episodesPerTask: z.number(),
      successByTask: z.record(z.string(), z.number()),
      /** Share of episodes per task that touched, grasped and lifted an object: where failures happen. */
      stagesByTask: z
        .record(z.string(), z.object({ touched: z.number(), grasped: z.number(), lifted: z.number() }))
        .optional(),
      average: z.number(),
      /** The layout region evaluated (absent: objects anywhere in the workspace). */
      layoutSpread: z.number().optional(),
    })
    .optional(),
  message: z.string().optional(),
  /** The run folder holds report.html (served at /runs/<name>/report). */
  report: z.boolean().optional(),
});

export const PushcutStrategy = z.object({
  id: z.number(),
  name: z.string(),
  slug: z.string(),
  description: z.string(),
  isPushcut: z.boolean(),
  successes: z.number(),
  failures: z.number(),
  successRate: z.number(),
  firstSeenStep: z.number(),
  pushcutSinceStep: z.number().optional(),
  bestEpisodes: z.array(z.string()),
  meanDemoDistance: z.number(),
  sharesByStep: z.array(z.object({ rlStep: z.number(), share: z.number(), count: z.number() })),
});

export const PushcutReport = z.object({
  demos: z.number(),
  threshold: z.number(),
  observed: z.number(),
  successes: z.number(),
  novelSuccesses: z.number(),
  strategies: z.array(PushcutStrategy),
  steps: z.array(
    z.object({
      rlStep: z.number(),
      successes: z.number(),
      demoLike: z.number(),
      byStrategy: z.record(z.string(), z.number()),
    }),
  ),
  /** Nearest demonstration of each strategy's best episodes, for side-by-side review. */
  nearestDemo: z.record(z.string(), z.string()),
  message: z.string().nullable(),
});

export const CalibrationEvent = z.object({
  step: z.enum(['idle', 'move-to-middle', 'record-ranges', 'done']),
  message: z.string(),
  ranges: z.record(z.string(), z.object({ position: z.number(), min: z.number(), max: z.number() })),
});

export const TrainEvent = z.object({
  jobId: z.string(),
  run: z.string(),
  kind: z.enum(['sft', 'eval', 'rl']),
  step: z.number(),
  total: z.number(),
  loss: z.number().nullable(),
  valLoss: z.number().nullable(),
  tokensPerSec: z.number().nullable(),
  etaSec: z.number().nullable(),
  successByTask: z.record(z.string(), z.number()).nullable(),
});

/** RL on the connected robot: a person resets the scene and labels episodes (issue #6). */
export const RobotRlStartArgs = z
  .object({
    /** A finished SFT run whose policy starts the session. */
    sftRun: runName,
    /** Run record that keeps the updated policy (default `<sftRun>-robot-rl`; an existing one resumes). */
    run: runName.optional(),
    /** Default: the task instruction of the SFT run's demonstrations. */
    instruction: z.string().min(1).max(500).optional(),
    // real-robot defaults; tests/api/robot-rl.test.ts keeps them equal to ROBOT_RL_DEFAULTS
    groupSize: z.number().int().min(2).max(16).default(4),
    groupsPerUpdate: z.number().int().min(1).max(16).default(1),
    temperature: z.number().positive().max(10).default(RL_TEMPERATURE.robot),
    timeLimitS: z.number().positive().max(600).default(30),
    /** Policy steps per second (default: the SFT dataset's fps). */
    fps: z.number().int().min(1).max(120).optional(),
    /** Dataset the rollouts are recorded into (default `<sftRun>-robot-rl`). */
    dataset: datasetName.optional(),
    /** 'detector': the success detector labels on its own as soon as it is good enough. */
    reward: z.enum(['human', 'detector']).default('human'),
  })
  .strict();

export const RobotRlPhase = z.enum(['idle', 'awaiting-reset', 'running', 'labelling', 'stopped']);

export const RobotRlEpisode = z.object({
  episode: z.number(),
  /** Episode index in the rollouts dataset (null if nothing was recorded). */
  datasetIndex: z.number().nullable(),
  policyVersion: z.number(),
  end: z.enum(['success-key', 'failure-key', 'time-limit', 'estop']),
  reward: z.number(),
  labelledBy: z.enum(['key', 'person', 'detector', 'estop']),
  steps: z.number(),
  interventionSteps: z.number(),
  /** The success detector's probability for this episode's final frame, when it had one. */
  detectorProbability: z.number().nullable(),
});

export const DetectorStatus = z.object({
  labels: z.number(),
  trained: z.boolean(),
  training: z.boolean(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
  heldOut: z.number(),
  /** Precision and recall on held-out labels clear the bar: auto-labelling may be switched on. */
  goodEnough: z.boolean(),
  autoLabel: z.boolean(),
  bar: z.object({ precision: z.number(), recall: z.number(), heldOut: z.number() }),
});

export const RobotRlStatus = z.object({
  /** Increases with every snapshot: a command's answer may arrive after a newer event. */
  seq: z.number(),
  active: z.boolean(),
  phase: RobotRlPhase,
  /** What the person should do now, in words. */
  prompt: z.string(),
  run: z.string().nullable(),
  sftRun: z.string().nullable(),
  dataset: z.string().nullable(),
  instruction: z.string().nullable(),
  reward: z.enum(['human', 'detector']).nullable(),
  episode: z.number(),
  /** Episodes finished in the current group, of groupSize. */
  groupIndex: z.number(),
  groupSize: z.number(),
  groupsPerUpdate: z.number(),
  groupsDone: z.number(),
  /** Groups whose rewards were all equal: nothing to learn from them (dynamic sampling drops them). */
  groupsDropped: z.number(),
  timeLimitS: z.number(),
  fps: z.number(),
  temperature: z.number(),
  policyVersion: z.number(),
  updating: z.boolean(),
  intervening: z.boolean(),
  /** The detector's proposal for the episode awaiting a label. */
  proposal: z.number().nullable(),
  episodes: z.array(RobotRlEpisode),
  lastUpdate: z.object({ policyVersion: z.number(), metrics: z.record(z.string(), z.number()) }).nullable(),
  detector: DetectorStatus.nullable(),
  error: z.string().nullable(),
});

export const RobotRlEvent = z.object({
  /** The session event (awaiting-reset, episode-started, awaiting-label, episode-ended, group-complete, update-started, updated, update-failed, stopped, detector) with its fields. */
  event: z.object({ type: z.string() }).catchall(z.unknown()),
  status: RobotRlStatus,
});

export const commandSchemas = {
  'app.info': { args: empty, result: AppInfo },
  'robot.backends': { args: empty, result: z.array(BackendInfo) },
  'sim.tasks': { args: empty, result: z.array(SimTask) },
  'robot.connect': { args: ConnectArgs, result: RobotDescription },
  'robot.disconnect': { args: empty, result: ok },
  'robot.status': { args: empty, result: ConnectionEvent },
  'robot.move': { args: MoveArgs, result: MoveResult },
  'robot.estop': { args: empty, result: ok },
  'robot.release': { args: empty, result: ok },
  'record.open': {
    args: z.object({ dataset: datasetName, fps: z.number().int().min(1).max(120).optional() }).strict(),
    result: z.object({
      dataset: z.string(),
      root: z.string(),
      recovery: z.string().nullable(),
      episodes: z.number(),
    }),
  },
  'record.start': {
    args: z
      .object({ task: z.string().min(1).max(500).optional(), resetScene: z.boolean().default(true) })
      .strict(),
    result: z.object({ episodeIndex: z.number(), task: z.string() }),
  },
  'serial.ports': {
    args: empty,
    result: z.object({
      ports: z.array(z.object({ path: z.string(), description: z.string() })),
      note: z.string().nullable(),
    }),
  },
  'serial.virtualStart': {
    args: z
      .object({
        /** Back the virtual arm with the simulator scene (front and wrist rig cameras); false: ideal motors, no scene. */
        sim: z.boolean().default(true),
        task: z.string().min(1).optional(),
      })
      .strict(),
    result: z.object({ devicePath: z.string() }),
  },
  'serial.virtualSweep': { args: empty, result: ok },
  'calibrate.start': { args: empty, result: CalibrationEvent },
  'calibrate.setMiddle': { args: empty, result: CalibrationEvent },
  'calibrate.finish': { args: empty, result: CalibrationEvent },
  'calibrate.cancel': { args: empty, result: ok },
  'ros.presets': {
    args: empty,
    result: z.array(
      z.object({ id: RosPreset, label: z.string(), config: z.record(z.string(), z.unknown()) }),
    ),
  },
  'ros.serveSim': {
    args: z
      .object({ port: z.number().int().min(0).max(65535).default(9090), task: z.string().optional() })
      .strict(),
    result: z.object({ url: z.string() }),
  },
  'ros.stopSim': { args: empty, result: ok },
  'sim.reset': {
    args: z.object({ seed: z.number().int().min(0).optional() }).strict(),
    result: z.object({ seed: z.number() }),
  },
  'sim.expert': {
    args: z.object({ enabled: z.boolean() }).strict(),
    result: z.object({ enabled: z.boolean() }),
  },
  'record.end': {
    args: z
      .object({ success: z.boolean().nullable().optional(), note: z.string().max(2000).optional() })
      .strict(),
    result: z.object({ episodeIndex: z.number() }),
  },
  'record.discard': { args: empty, result: ok },
  'record.status': { args: empty, result: RecordingProgress },
  'datasets.list': { args: empty, result: z.array(DatasetSummary) },
  'episodes.list': {
    args: z.object({ dataset: datasetName, filter: EpisodeFilterArgs.default({}) }).strict(),
    result: z.array(EpisodeSummary),
  },
  'episodes.get': {
    args: z.object({ dataset: datasetName, index: episodeIndex }).strict(),
    result: z.object({
      summary: EpisodeSummary,
      fps: z.number(),
      joints: z.array(z.string()),
      cameras: z.array(z.string()),
      timestamps: z.array(z.number()),
      state: z.array(z.array(z.number())),
      action: z.array(z.array(z.number())),
    }),
  },
  'episodes.video': {
    args: z.object({ dataset: datasetName, index: episodeIndex, camera: z.string().min(1) }).strict(),
    result: z.object({ mime: z.string(), base64: z.string(), from: z.number(), to: z.number() }),
  },
  'episodes.label': {
    args: z
      .object({
        dataset: datasetName,
        index: episodeIndex,
        success: z.boolean().nullable().optional(),
        note: z.string().max(2000).optional(),
      })
      .strict(),
    result: ok,
  },
  'episodes.delete': { args: z.object({ dataset: datasetName, index: episodeIndex }).strict(), result: ok },
  'train.sft': {
    args: z
      .object({
        dataset: datasetName,
        run: runName,
        steps: z.number().int().min(1).max(1_000_000).default(800),
        batchSize: z.number().int().min(1).max(4096).default(32),
        lr: z.number().positive().max(1).default(1e-3),
        /** Square side of the policy's camera images; frames are resized to it. Default: the dataset's. */
        imageSize: z.number().int().min(16).max(256).optional(),
        /** Spread of the soft action-token targets in bins (default 2); 0: one-hot, sharper policies from few demos. */
        labelSigma: z.number().min(0).max(16).optional(),
        /** Instruction encoder: 'mean' (default) ignores word order, 'positional' keeps it (which cube goes on which). */
        text: z.enum(INSTRUCTION_ENCODERS).optional(),
        /** Feed the policy the episode clock (steps since the episode began): tells apart phases that look alike. */
        clock: z.boolean().optional(),
      })
      .strict(),
    result: z.object({ jobId: z.string() }),
  },
  'train.rl': {
    args: z
      .object({
        run: runName,
        from: runName,
        tasks: z.array(z.string()).optional(),
        updates: z.number().int().min(1).max(100_000).default(20),
        groupSize: z.number().int().min(2).max(64).default(8),
        groupsPerBatch: z.number().int().min(1).max(256).default(4),
        temperature: z.number().positive().max(10).default(RL_TEMPERATURE.sim),
        evalEpisodes: z.number().int().min(0).max(1000).default(4),
        /** Place objects within this many metres of one nominal scene (LIBERO-style); default anywhere. */
        layoutSpread: z.number().min(0).max(0.1).optional(),
        /** Train on a fixed bank of this many initial layouts per task (LIBERO-style); default: a new one per group. */
        states: z.number().int().min(1).max(10_000).optional(),
        /** How groups pick their initial layout: 'informative' favours bank layouts whose groups disagree. */
        stateSampling: z.enum(['uniform', 'informative']).default('uniform'),
        /** Judge evaluations (and export) by a moving average of the weights with this decay per update, e.g. 0.95. */
        weightAverage: z.number().min(0).lt(1).optional(),
      })
      .strict()
      .refine((a) => a.stateSampling === 'uniform' || a.states !== undefined, {
        message: "stateSampling 'informative' needs a bank of initial states: set states (e.g. 10)",
        path: ['stateSampling'],
      }),
    result: z.object({ jobId: z.string() }),
  },
  'train.eval': {
    args: z
      .object({
        run: runName,
        tasks: z.array(z.string()).optional(),
        episodes: z.number().int().min(1).max(1000).default(10),
        /** Objects within this many metres of the nominal scene; default: the RL run's own setting, else anywhere. */
        layoutSpread: z.number().min(0).max(0.1).optional(),
      })
      .strict(),
    result: z.object({ jobId: z.string() }),
  },
  'train.cancel': { args: z.object({ jobId: z.string() }).strict(), result: ok },
  'runs.list': { args: empty, result: z.array(RunRecord) },
  'runs.metrics': {
    args: z.object({ run: runName }).strict(),
    result: z.array(z.record(z.string(), z.unknown())),
  },
  'pushcuts.analyze': {
    args: z
      .object({ rollouts: datasetName, demos: datasetName.optional(), tag: z.boolean().default(true) })
      .strict(),
    result: PushcutReport,
  },
  'robotRl.start': { args: RobotRlStartArgs, result: RobotRlStatus },
  'robotRl.resetDone': { args: empty, result: RobotRlStatus },
  'robotRl.label': { args: z.object({ success: z.boolean() }).strict(), result: RobotRlStatus },
  'robotRl.takeOver': { args: z.object({ active: z.boolean() }).strict(), result: RobotRlStatus },
  'robotRl.stop': { args: empty, result: RobotRlStatus },
  'robotRl.status': { args: empty, result: RobotRlStatus },
  'robotRl.trainDetector': { args: empty, result: RobotRlStatus },
  'robotRl.autoLabel': { args: z.object({ enabled: z.boolean() }).strict(), result: RobotRlStatus },
  'robotRl.overrule': {
    args: z.object({ episode: z.number().int().min(1), success: z.boolean() }).strict(),
    result: RobotRlStatus,
  },
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
  recording: RecordingProgress,
  train: TrainEvent,
  calibration: CalibrationEvent,
  robotRl: RobotRlEvent,
} as const;
