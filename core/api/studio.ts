import { withCameras } from '../hardware/cameras/with-cameras';
import { ControlLoop, type ControlTick } from '../hardware/control-loop';
import type { Robot } from '../hardware/robot';
import type {
  CommandArgs,
  CommandName,
  CommandResult,
  EventName,
  EventPayload,
  JobInfo,
  LogEntry,
  ParsedArgs,
  RobotDescription,
  StudioApi,
} from './contract';
import { DatasetService } from './datasets';
import { ROS_PRESETS, rosConfig } from './default-providers';
import { ApiError } from './errors';
import type { RobotProvider } from './providers';
import { analyzeDatasets, parseEpisodeId } from './pushcut-analysis';
import { RobotRlService } from './robot-rl/robot-rl-service';
import { RosSimServer } from './ros-sim-server';
import { commandSchemas } from './schemas';
import { SerialControl } from './serial-control';
import { SimControl } from './sim-control';
import { TrainingService } from './training/training-service';

export interface StudioOptions {
  shell: 'electron' | 'web' | 'test';
  version: string;
  providers: RobotProvider[];
  /** Rate of observation events sent for display (the control loop itself runs at the robot's rate). */
  displayHz?: number;
  imageHz?: number;
}

type Handlers = { [C in CommandName]: (args: ParsedArgs<C>) => Promise<CommandResult<C>> };
type Listener = (payload: unknown) => void;

const DEFAULT_MAX_SPEED_DEG_S = 120;
const DEFAULT_MAX_GRIPPER_S = 200;

/**
 * The Studio: the one implementation of the API contract. Shells (Electron IPC, web-mode
 * WebSocket, the worker host) only carry its commands and events; they never reach around it.
 */
export class Studio implements StudioApi {
  private listeners = new Map<EventName, Set<Listener>>();
  private robot: Robot | null = null;
  private loop: ControlLoop | null = null;
  private description: RobotDescription | null = null;
  private connection: EventPayload<'connection'> = {
    state: 'disconnected',
    backend: null,
    robot: null,
    message: 'Not connected',
  };
  private logs: LogEntry[] = [];
  private jobs = new Map<string, JobInfo>();
  private lastDisplay = 0;
  private lastImages = 0;
  private latencyMs = 0;
  private metricsTimer: NodeJS.Timeout;
  private readonly handlers: Handlers;
  private readonly datasets = new DatasetService((p) => this.emit('recording', p));
  private sim: SimControl | null = null;
  private readonly rosSim = new RosSimServer();
  private readonly serial = new SerialControl((e) => this.emit('calibration', e));
  private readonly training = new TrainingService({
    job: (job) => this.reportJob(job),
    point: (p) => this.emit('train', p),
    log: (level, message) => this.log(level, 'train', message),
    datasetRoot: (name) => this.datasets.root(name),
  });
  private readonly robotRl = new RobotRlService({
    emit: (p) => this.emit('robotRl', p),
    log: (level, message) => this.log(level, 'robotRl', message),
  });
  /** The virtual SO-101's simulated scene, when that is the connected arm (reset between RL episodes). */
  private rigScene: import('../hardware/sim/sim-robot').SimRobot | null = null;
  private lastRobotError = '';

  constructor(readonly options: StudioOptions) {
    this.handlers = {
      'app.info': async () => ({
        name: 'Pushcut Studio',
        version: options.version,
        shell: options.shell,
        node: process.versions.node,
        platform: `${process.platform}-${process.arch}`,
      }),
      'robot.backends': async () =>
        Promise.all(options.providers.map(async (p) => ({ id: p.id, label: p.label, ...(await p.probe()) }))),
      'sim.tasks': async () => (await this.provider('sim').tasks?.()) ?? [],
      'robot.connect': (args) => this.connect(args),
      'robot.disconnect': async () => {
        await this.disconnect('Disconnected');
        return { ok: true as const };
      },
      'robot.status': async () => this.connection,
      'robot.move': async ({ target }) => this.move(target),
      'robot.estop': async () => {
        await this.requireLoop().estop();
        this.log('warn', 'safety', 'E-stop: the arm holds its position until released');
        return { ok: true as const };
      },
      'robot.release': async () => {
        const loop = this.requireLoop();
        const obs = await loop.robot.observe();
        loop.release(obs.state);
        this.log('info', 'safety', 'E-stop released');
        return { ok: true as const };
      },
      'record.open': async ({ dataset, fps }) => {
        const loop = this.requireLoop();
        return this.datasets.openForRecording(dataset, loop.robot.features, fps ?? loop.options.hz);
      },
      'record.start': async ({ task, resetScene }) => {
        this.requireLoop();
        this.refuseDuringRobotRl('recording a demonstration');
        if (this.sim && resetScene) await this.sim.resetScene();
        const name = task ?? this.sim?.task.instruction;
        if (!name) throw new ApiError('invalid_args', 'record.start needs the task instruction', 'task');
        return { episodeIndex: this.datasets.start(name), task: name };
      },
      'serial.ports': () => this.serial.ports(),
      'serial.virtualStart': async (args) => {
        const devicePath = await this.serial.startVirtual(args);
        this.log(
          'info',
          'serial',
          `Virtual SO-101 (Feetech bus) on ${devicePath}${args.sim ? ', moving in the simulator scene with its front and wrist cameras' : ''}`,
        );
        return { devicePath };
      },
      'serial.virtualSweep': async () => {
        await this.serial.sweepVirtual();
        return { ok: true as const };
      },
      'calibrate.start': () => {
        this.refuseDuringRobotRl('calibrating');
        return this.serial.startCalibration(this.robot, this.loop);
      },
      'calibrate.setMiddle': () => this.serial.setMiddle(),
      'calibrate.finish': async () => {
        const robot = this.robot;
        if (!robot) throw new ApiError('failed', 'The arm disconnected during calibration');
        const done = await this.serial.finish(robot);
        this.refreshDescription(robot);
        this.log('info', 'serial', 'Calibration saved and written to the motors');
        return done;
      },
      'calibrate.cancel': async () => {
        await this.serial.cancelCalibration();
        return { ok: true as const };
      },
      'ros.presets': async () =>
        ROS_PRESETS.map((p) => ({
          ...p,
          config: rosConfig('ws://127.0.0.1:9090', p.id, {}) as unknown as Record<string, unknown>,
        })),
      'ros.serveSim': async ({ port, task }) => {
        const url = await this.rosSim.start(port, task);
        this.log('info', 'ros', `Simulator served as a ROS robot at ${url}`);
        return { url };
      },
      'ros.stopSim': async () => {
        await this.rosSim.stop();
        await this.serial.close();
        this.training.close();
        return { ok: true as const };
      },
      'sim.reset': async ({ seed }) => ({ seed: await this.requireSim().resetScene(seed) }),
      'sim.expert': async ({ enabled }) => {
        this.requireSim().setExpert(enabled);
        this.log('info', 'sim', enabled ? 'Scripted expert is driving the arm' : 'Scripted expert stopped');
        return { enabled };
      },
      'record.end': async (label) => ({ episodeIndex: await this.datasets.end(label) }),
      'record.discard': async () => {
        await this.datasets.discard();
        return { ok: true as const };
      },
      'record.status': async () => this.datasets.status(),
      'datasets.list': () => this.datasets.list(),
      'episodes.list': ({ dataset, filter }) => this.datasets.episodes(dataset, filter),
      'episodes.get': ({ dataset, index }) => this.datasets.episode(dataset, index),
      'episodes.video': ({ dataset, index, camera }) => this.datasets.video(dataset, index, camera),
      'episodes.label': async ({ dataset, index, ...label }) => {
        await this.datasets.label(dataset, index, label);
        return { ok: true as const };
      },
      'episodes.delete': async ({ dataset, index }) => {
        await this.datasets.remove(dataset, index);
        return { ok: true as const };
      },
      'train.sft': async (args) => this.training.startSft(args),
      'train.rl': (args) => this.training.startRl(args),
      'train.eval': async (args) => this.training.evaluate(args),
      'train.cancel': async ({ jobId }) => {
        this.training.cancel(jobId);
        return { ok: true as const };
      },
      'runs.list': async () => this.training.runs(),
      'runs.metrics': async ({ run }) => this.training.metrics(run),
      'pushcuts.analyze': (args) => this.analyzePushcuts(args),
      'robotRl.start': (args) => this.startRobotRl(args),
      'robotRl.resetDone': () => this.robotRl.resetDone(),
      'robotRl.label': async ({ success }) => this.robotRl.label(success),
      'robotRl.takeOver': async ({ active }) => this.robotRl.takeOver(active),
      'robotRl.stop': () => this.robotRl.stop(),
      'robotRl.status': async () => this.robotRl.status(),
      'robotRl.trainDetector': () => this.robotRl.trainDetector(),
      'robotRl.autoLabel': async ({ enabled }) => this.robotRl.autoLabel(enabled),
      'robotRl.overrule': ({ episode, success }) =>
        this.robotRl.overrule(episode, success, (dataset, index, s) =>
          this.datasets.label(dataset, index, { success: s }),
        ),
      'jobs.list': async () => [...this.jobs.values()],
      'logs.recent': async ({ limit }) => this.logs.slice(-limit),
    };
    this.metricsTimer = setInterval(() => this.emitMetrics(), 1000);
    this.metricsTimer.unref();
  }

  async invoke<C extends CommandName>(command: C, rawArgs: CommandArgs<C>): Promise<CommandResult<C>> {
    const schema = commandSchemas[command];
    if (!schema) {
      throw new ApiError('unknown_command', `Unknown command "${String(command)}"; see core/api/schemas.ts`);
    }
    const parsed = schema.args.safeParse(rawArgs ?? {});
    if (!parsed.success) throw ApiError.fromZod(command, parsed.error);
    const handler = this.handlers[command] as (args: unknown) => Promise<CommandResult<C>>;
    try {
      return await handler(parsed.data);
    } catch (err) {
      const apiErr = ApiError.from(err);
      this.log('error', command, apiErr.message);
      throw apiErr;
    }
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  /** A run's metrics file (SFT steps or RL events), for reports. */
  runMetrics(run: string): Record<string, unknown>[] {
    return this.training.metrics(run);
  }

  /** Record a job's state and tell every listener (trainers and recorders report through this). */
  reportJob(job: JobInfo): void {
    this.jobs.set(job.id, job);
    this.emit('job', job);
  }

  log(level: LogEntry['level'], source: string, message: string): void {
    const entry = { t: Date.now(), level, source, message };
    this.logs.push(entry);
    if (this.logs.length > 1000) this.logs.splice(0, this.logs.length - 1000);
    this.emit('log', entry);
  }

  async close(): Promise<void> {
    clearInterval(this.metricsTimer);
    await this.robotRl.close();
    await this.disconnect('Studio closed');
    await this.datasets.close();
    await this.rosSim.stop();
    await this.serial.close();
    this.training.close();
  }

  private emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        l(payload);
      } catch (err) {
        // A failing listener (a closed socket) must not stop the others or the control loop.
        console.error(`listener for ${event} failed:`, err);
      }
    }
  }

  private provider(id: string): RobotProvider {
    const p = this.options.providers.find((x) => x.id === id);
    if (!p) {
      const known = this.options.providers.map((x) => x.id).join(', ');
      throw new ApiError('failed', `Backend "${id}" is not available in this build (available: ${known})`);
    }
    return p;
  }

  private setConnection(state: EventPayload<'connection'>['state'], message: string): void {
    this.connection = { state, backend: this.connection.backend, robot: this.description, message };
    this.emit('connection', this.connection);
  }

  private async connect(args: ParsedArgs<'robot.connect'>): Promise<RobotDescription> {
    await this.disconnect('Switching robot');
    const provider = this.provider(args.backend);
    this.connection = { ...this.connection, backend: args.backend };
    this.setConnection('connecting', `Connecting to ${provider.label}…`);
    let robot: Robot | null = null;
    try {
      robot = await provider.create(args);
      await robot.connect();
      // the virtual SO-101's rig sees its simulator scene through the scene's cameras (webcams on a real rig)
      const port = args.backend === 'feetech' ? args.options.port : '';
      const rig = withCameras(robot, this.serial.rigCameras(port));
      const f = rig.features;
      this.description = describe(args.backend, robot, f.cameras);
      const hz = args.backend === 'sim' ? args.options.controlHz : 30;
      const loop = new ControlLoop(rig, {
        hz,
        maxSpeed: f.joints.map((j) => (j === 'gripper' ? DEFAULT_MAX_GRIPPER_S : DEFAULT_MAX_SPEED_DEG_S)),
        watchdogMs: 500,
      });
      loop.onTick((t) => this.onTick(t));
      loop.onError((err) => void this.onRobotError(err));
      // An uncalibrated servo arm cannot report joint angles yet: it waits for the calibration flow.
      if (this.description.calibrated) loop.start((await robot.observe()).state);
      this.robot = robot;
      this.loop = loop;
      this.rigScene = this.serial.virtualScene(port);
      this.lastRobotError = '';
      this.followPresence(robot);
      this.sim = SimControl.for(loop, () => void this.onExpertDone());
      this.setConnection(
        'connected',
        this.description.calibrated
          ? `Connected to ${provider.label}`
          : `Connected to ${provider.label}: calibrate the arm before moving it`,
      );
      this.log(
        'info',
        'robot',
        `Connected: ${f.robotType} (${f.joints.length} joints, ${f.cameras.length} cameras)`,
      );
      return this.description;
    } catch (err) {
      await robot?.close().catch(() => undefined);
      this.description = null;
      const message = err instanceof Error ? err.message : String(err);
      this.setConnection('error', message);
      throw new ApiError('failed', `Could not connect to ${provider.label}: ${message}`);
    }
  }

  private async disconnect(reason: string): Promise<void> {
    await this.robotRl.close();
    const robot = this.robot;
    this.rigScene = null;
    this.loop?.stop();
    this.loop = null;
    this.robot = null;
    this.sim = null;
    if (!robot) return;
    await this.datasets.finishActive().catch((err) => this.log('error', 'recording', String(err)));
    await robot.close().catch((err) => this.log('warn', 'robot', `Closing the robot failed: ${String(err)}`));
    this.description = null;
    this.connection = { ...this.connection, backend: null };
    this.setConnection('disconnected', reason);
  }

  /** A failing robot fails every tick: report each distinct problem once, not 30 times a second. */
  private async onRobotError(err: Error): Promise<void> {
    if (err.message === this.lastRobotError) return;
    this.lastRobotError = err.message;
    this.log('error', 'robot', err.message);
    this.setConnection('error', err.message);
  }

  /** Backends with their own connection life (ROS reconnects) report it through presence events. */
  private followPresence(robot: Robot): void {
    const r = robot as Partial<{ on(event: string, l: (...a: unknown[]) => void): void }>;
    if (typeof r.on !== 'function') return;
    r.on('presence', (state: unknown, why: unknown) => {
      const map: Record<string, EventPayload<'connection'>['state']> = {
        connecting: 'connecting',
        connected: 'connected',
        reconnecting: 'reconnecting',
        error: 'error',
      };
      const next = map[String(state)];
      if (!next || this.robot !== robot) return;
      if (next === 'connected') this.lastRobotError = '';
      this.setConnection(next, typeof why === 'string' && why ? why : `Robot ${String(state)}`);
    });
    r.on('disconnected', (err: unknown) => {
      if (this.robot !== robot) return;
      const message = err instanceof Error ? err.message : String(err);
      this.loop?.stop();
      // an RL episode cannot go on without the arm: keep what was recorded, end the session
      if (this.robotRl.running) void this.robotRl.stop().catch(() => undefined);
      this.log('error', 'robot', message);
      this.setConnection('error', `${message} — reconnect the cable, then connect again`);
    });
    r.on('stale', (ageMs: unknown) =>
      this.log('warn', 'robot', `No joint state for ${Number(ageMs).toFixed(0)} ms: holding the arm`),
    );
  }

  private async analyzePushcuts(args: { rollouts: string; demos?: string; tag: boolean }) {
    const set = (name: string) => ({ name, root: this.datasets.root(name) });
    const r = await analyzeDatasets({
      rollouts: set(args.rollouts),
      ...(args.demos ? { demos: set(args.demos) } : {}),
    });
    if (args.tag) {
      const tags = new Map<number, string[]>();
      for (const e of r.episodes) {
        const { dataset, index } = parseEpisodeId(e.id);
        if (dataset === args.rollouts) tags.set(index, r.tags[e.id] ?? []);
      }
      await this.datasets.setPushcutTagsMany(args.rollouts, tags);
    }
    this.log('info', 'pushcuts', `${r.pushcuts.length} pushcut(s) among ${r.novelSuccesses} novel successes`);
    return {
      demos: r.calibration.demoCount,
      threshold: r.calibration.threshold,
      observed: r.observed,
      successes: r.successes,
      novelSuccesses: r.novelSuccesses,
      strategies: r.strategies.map(({ symbols: _s, medoidEpisode: _m, firstSeenEpisode: _f, ...s }) => s),
      steps: r.steps,
      nearestDemo: Object.fromEntries(
        r.strategies
          .flatMap((s) => s.bestEpisodes)
          .map((id) => [id, r.episodes.find((e) => e.id === id)?.nearestDemo ?? '']),
      ),
      message: r.message ?? null,
    };
  }

  /** Limits change when an arm is calibrated: tell the UI the arm's new description. */
  private refreshDescription(robot: Robot): void {
    if (!this.connection.backend) return;
    this.description = describe(this.connection.backend, robot, this.loop?.robot.features.cameras);
    this.setConnection('connected', 'Calibrated: the arm follows commands');
  }

  private requireSim(): SimControl {
    if (!this.sim)
      throw new ApiError('failed', 'This needs the simulator: connect to it in the Connect panel');
    return this.sim;
  }

  /** The expert finished its demo: end the episode being recorded with the task's verdict. */
  private async onExpertDone(): Promise<void> {
    const success = this.sim?.task.success ?? null;
    this.log('info', 'sim', `Scripted expert finished (${success ? 'success' : 'no success'})`);
    if (this.datasets.status().state === 'recording') await this.datasets.end({ success });
  }

  /** RL on whatever robot is connected, through its control loop (the only caller of Robot.act). */
  private startRobotRl(args: ParsedArgs<'robotRl.start'>) {
    const loop = this.requireLoop();
    if (this.description && !this.description.calibrated)
      throw new ApiError('failed', 'Calibrate the arm before RL: it cannot report joint angles yet');
    if (this.datasets.status().state === 'recording')
      throw new ApiError('failed', 'An episode is being recorded: end or discard it before starting RL');
    const sim = this.sim;
    const scene = this.rigScene;
    const resetScene = sim
      ? async (seed: number) => {
          await sim.resetScene(seed);
        }
      : scene
        ? async (seed: number) => {
            await scene.reset(seed);
            loop.resync(null);
          }
        : null;
    const f = loop.robot.features;
    return this.robotRl.start(args, {
      loop,
      cameras: f.cameras.map((c) => c.name),
      joints: f.joints.length,
      resetScene,
      openDataset: (name, fps) => this.datasets.session(name, f, fps),
    });
  }

  private refuseDuringRobotRl(what: string): void {
    if (this.robotRl.running)
      throw new ApiError('failed', `RL is running on the robot: stop the session before ${what}`);
  }

  private requireLoop(): ControlLoop {
    if (!this.loop)
      throw new ApiError('failed', 'No robot is connected: connect one in the Connect panel first');
    return this.loop;
  }

  private move(target: number[]): CommandResult<'robot.move'> {
    const loop = this.requireLoop();
    const { limits, joints } = loop.robot.features;
    if (target.length !== joints.length) {
      throw new ApiError(
        'invalid_args',
        `robot.move needs ${joints.length} targets (${joints.join(', ')}), got ${target.length}`,
        'target',
      );
    }
    if (loop.safety.estopped)
      throw new ApiError('failed', 'E-stop is active: release it before moving the arm');
    const clamped = target.map((v, i) => Math.min(limits[i]!.max, Math.max(limits[i]!.min, v)));
    loop.setGoal(clamped);
    return { target: clamped, clipped: clamped.some((v, i) => v !== target[i]) };
  }

  private onTick(tick: ControlTick): void {
    this.datasets.onTick(tick);
    this.sim?.onTick(tick);
    this.latencyMs = this.latencyMs * 0.9 + tick.latencyMs * 0.1;
    const now = performance.now();
    const displayHz = this.options.displayHz ?? 20;
    if (now - this.lastDisplay < 1000 / displayHz) return;
    this.lastDisplay = now;
    const withImages = now - this.lastImages >= 1000 / (this.options.imageHz ?? 10);
    if (withImages) this.lastImages = now;
    const images: EventPayload<'observation'>['images'] = {};
    if (withImages) {
      for (const [name, img] of Object.entries(tick.obs.images)) {
        images[name] = {
          width: img.width,
          height: img.height,
          rgb: Buffer.from(img.data).toString('base64'),
        };
      }
    }
    const task = this.sim ? { ...this.sim.task, expert: this.sim.expertOn } : null;
    this.emit('observation', { t: tick.obs.t, task, state: tick.obs.state, images });
  }

  private emitMetrics(): void {
    if (!this.loop) return;
    const stats = (this.loop.robot as Partial<{ topicStats(): EventPayload<'metrics'>['topics'] }>)
      .topicStats;
    const topics =
      typeof stats === 'function'
        ? stats
            .call(this.loop.robot)
            .map(({ topic, ratePerSec, latencyMs }) => ({ topic, ratePerSec, latencyMs }))
        : [];
    this.emit('metrics', {
      fps: this.loop.fps,
      latencyMs: this.latencyMs,
      estop: this.loop.safety.estopped,
      topics,
    });
  }
}

function describe(
  backend: RobotDescription['backend'],
  robot: Robot,
  cameras = robot.features.cameras,
): RobotDescription {
  const f = robot.features;
  return {
    backend,
    robotType: f.robotType,
    calibrated: (robot as { isCalibrated?: boolean }).isCalibrated !== false,
    joints: f.joints.map((name, i) => ({
      name,
      min: f.limits[i]!.min,
      max: f.limits[i]!.max,
      unit: name === 'gripper' ? '%' : 'deg',
    })),
    cameras,
  };
}
