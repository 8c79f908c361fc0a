import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { tinyVla } from '../../../models/tiny-vla/model';
import { openDataset } from '../../data';
import type { RecordingSession } from '../../data/recorder';
import type { ControlLoop, ControlTick } from '../../hardware/control-loop';
import type { CameraFrame } from '../../hardware/robot';
import { tinyVlaTokenPolicy } from '../../rl/policies/tiny-vla';
import { paramsFromCheckpoint } from '../../rl/policy-spec';
import { HumanLabelReward } from '../../rl/reward/human-label';
import { SuccessDetector } from '../../rl/reward/success-detector';
import { latestCheckpoint } from '../../rl/rl-job';
import { RobotRlSession, type RobotSessionEvent } from '../../rl/robot-session';
import type { EventPayload } from '../contract';
import { ApiError } from '../errors';
import { checkName, datasetsDir } from '../home';
import type { RobotRlStartArgs } from '../schemas';
import { exportRlPolicy, rlJobDir, sftConfig } from '../training/rl-run';
import { listRuns, type RunRecord, readRun, runDir, writeRun } from '../training/runs';
import { DetectorLabelStore } from './detector-labels';
import { RobotRolloutRecorder } from './rollout-recorder';

type Status = EventPayload<'robotRl'>['status'];
type Episode = Status['episodes'][number];
type StartArgs = z.output<typeof RobotRlStartArgs>;

/** The cameras tiny-vla reads (models/tiny-vla): a rig must have views with these names. */
const POLICY_CAMERAS = ['front', 'wrist'];
const DETECTOR_BAR = { precision: 0.9, recall: 0.8, heldOut: 4 };
/** The camera whose final frame the success detector classifies. */
const DETECTOR_CAMERA = 'front';

export interface RobotRlContext {
  loop: ControlLoop;
  /** Cameras the connected robot's observations carry. */
  cameras: string[];
  joints: number;
  /** Resets the scene where the app can (simulator, virtual rig); a person does it on a real rig. */
  resetScene: ((seed: number) => Promise<void>) | null;
  /** Opens the rollouts dataset through the Studio's dataset service (one writer per folder). */
  openDataset(name: string, fps: number): Promise<RecordingSession>;
}

interface Active {
  session: RobotRlSession;
  args: StartArgs;
  run: RunRecord;
  context: RobotRlContext;
  recorder: RobotRolloutRecorder;
  labels: HumanLabelReward;
  detector: SuccessDetector | null;
  /** The person's labelled final frames on disk, for the detector of this run's next session. */
  labelStore: DetectorLabelStore | null;
  status: Status;
  latestImages: Record<string, CameraFrame> | null;
  /** Each finished episode's final camera frames (the detector learns from an overruled label). */
  finalImages: Map<number, Record<string, CameraFrame>>;
  unsubscribe: () => void;
  /** Ids the person labelled (as opposed to the detector). */
  personLabelled: Set<string>;
  pendingId: string | null;
  /** The scene seed of the current group (all episodes of a group start from the same layout). */
  groupSeed: number;
  detectorTraining: Promise<void> | null;
  stopped: Promise<void> | null;
}

interface Hooks {
  emit(payload: EventPayload<'robotRl'>): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

const idle = (): Status => ({
  seq: 0,
  active: false,
  phase: 'idle',
  prompt: 'Start a session: pick a finished SFT run, then press Start',
  run: null,
  sftRun: null,
  dataset: null,
  instruction: null,
  reward: null,
  episode: 0,
  groupIndex: 0,
  groupSize: 0,
  groupsPerUpdate: 0,
  groupsDone: 0,
  groupsDropped: 0,
  timeLimitS: 0,
  fps: 0,
  temperature: 0,
  policyVersion: 0,
  updating: false,
  intervening: false,
  proposal: null,
  episodes: [],
  lastUpdate: null,
  detector: null,
  error: null,
});

const PROMPTS: Record<Status['phase'], string> = {
  idle: 'Start a session: pick a finished SFT run, then press Start',
  'awaiting-reset': 'Reset the scene, then press Enter',
  running: 'Running — S success, F failure, T take over, Space e-stop',
  labelling: 'Label this episode: S success / F failure',
  stopped: 'Session stopped: every finished episode is in the dataset',
};

/**
 * RL on the connected robot through the Studio: one RobotRlSession at a time, driven by the same
 * commands the UI sends (reset done, success / failure, take over, stop). Rollouts go to a dataset
 * the Episodes panel shows; the policy after each update is checkpointed into an RL run record.
 */
export class RobotRlService {
  private active: Active | null = null;
  private last: Status = idle();
  private seq = 0;
  private starting = false;

  constructor(private readonly hooks: Hooks) {}

  status(): Status {
    return this.active ? this.snapshot(this.active) : { ...this.last, seq: ++this.seq };
  }

  get running(): boolean {
    return !!this.active;
  }

  async start(args: StartArgs, ctx: RobotRlContext): Promise<Status> {
    if (this.active || this.starting) {
      throw new ApiError(
        'failed',
        `An RL session is already running${this.active ? ` (run "${this.active.run.name}")` : ''}: stop it before starting another`,
      );
    }
    this.starting = true;
    try {
      return await this.open(args, ctx);
    } finally {
      this.starting = false;
    }
  }

  private async open(args: StartArgs, ctx: RobotRlContext): Promise<Status> {
    const sftName = checkName('Run', args.sftRun);
    const sft = readRun(sftName);
    if (sft?.kind !== 'sft' || sft.state !== 'done') {
      const finished = listRuns()
        .filter((r) => r.kind === 'sft' && r.state === 'done')
        .map((r) => r.name);
      throw new ApiError(
        'invalid_args',
        `"${sftName}" is not a finished SFT run: ${finished.length ? `pick one of ${finished.join(', ')}` : 'train one in the Train panel first'}`,
        'sftRun',
      );
    }
    const missing = POLICY_CAMERAS.filter((c) => !ctx.cameras.includes(c));
    if (missing.length) {
      throw new ApiError(
        'failed',
        `The policy of SFT run "${sftName}" needs the camera(s) ${missing.map((c) => `"${c}"`).join(' and ')}, but the connected robot has ${ctx.cameras.length ? ctx.cameras.map((c) => `"${c}"`).join(', ') : 'no cameras'}: add a camera for each view to the rig under those names (front: looking at the workspace, wrist: on the gripper), or connect a robot that has them (the simulator, or the virtual SO-101 with its scene)`,
      );
    }
    const config = sftConfig(sftName);
    if (config.actionDim !== ctx.joints) {
      throw new ApiError(
        'failed',
        `The policy of SFT run "${sftName}" drives ${config.actionDim} joints, the connected robot has ${ctx.joints}: connect the arm it was trained for`,
      );
    }
    const demos = sft.dataset ? await openDataset(datasetRootOf(sft.dataset)).catch(() => null) : null;
    const instruction = args.instruction ?? demos?.tasks[0];
    if (!instruction) {
      throw new ApiError(
        'invalid_args',
        `SFT run "${sftName}" has no task instruction on record: type the instruction`,
        'instruction',
      );
    }
    const fps = args.fps ?? demos?.fps ?? ctx.loop.options.hz;
    const runName = checkName('Run', args.run ?? `${sftName}-robot-rl`);
    const existing = readRun(runName);
    if (existing && (existing.kind !== 'rl' || existing.from !== sftName)) {
      throw new ApiError(
        'invalid_args',
        `A run named "${runName}" exists already and is not RL from "${sftName}": choose another name`,
        'run',
      );
    }
    const datasetName = checkName('Dataset', args.dataset ?? `${sftName}-robot-rl`);
    const policy = tinyVlaTokenPolicy(config);
    const params = paramsFromCheckpoint(tinyVla(config), latestCheckpoint(runDir(sftName)));
    const dataset = await ctx.openDataset(datasetName, fps).catch((err: unknown) => {
      throw new ApiError(
        'invalid_args',
        `Could not open dataset "${datasetName}" for the rollouts (${err instanceof Error ? err.message : String(err)}): choose another dataset name`,
        'dataset',
      );
    });

    mkdirSync(rlJobDir(runName), { recursive: true });
    const run: RunRecord = existing ?? {
      name: runName,
      kind: 'rl',
      createdAt: new Date().toISOString(),
      state: 'running',
      from: sftName,
      dataset: datasetName,
      config: {},
    };
    run.state = 'running';
    run.config = { ...args, onRobot: true, instruction, fps };
    writeRun(run);

    const labels = new HumanLabelReward();
    const detector = ctx.cameras.includes(DETECTOR_CAMERA)
      ? new SuccessDetector({
          human: labels,
          camera: DETECTOR_CAMERA,
          minPrecision: DETECTOR_BAR.precision,
          minRecall: DETECTOR_BAR.recall,
          minHeldOut: DETECTOR_BAR.heldOut,
        })
      : null;
    const labelStore = detector ? new DetectorLabelStore(join(rlJobDir(runName), 'detector')) : null;
    for (const l of labelStore?.load() ?? []) detector?.addLabel({ [l.camera]: l.frame }, l.success);
    const recorder = new RobotRolloutRecorder(dataset, ctx.cameras);
    const a = {} as Active;
    const session = new RobotRlSession({
      loop: ctx.loop,
      policy,
      params,
      instruction,
      fps,
      groupSize: args.groupSize,
      groupsPerUpdate: args.groupsPerUpdate,
      temperature: args.temperature,
      timeLimitS: args.timeLimitS,
      update: { threads: 1 },
      labels,
      reward: detector ?? labels,
      recorder,
      checkpoint: latestCheckpoint(rlJobDir(runName)),
      onEvent: (e) => this.onEvent(a, e),
    });
    Object.assign(a, {
      session,
      args,
      run,
      context: ctx,
      recorder,
      labels,
      detector,
      labelStore,
      latestImages: null,
      finalImages: new Map(),
      unsubscribe: ctx.loop.onTick((t: ControlTick) => {
        a.latestImages = t.obs.images;
      }),
      personLabelled: new Set<string>(),
      pendingId: null,
      groupSeed: 0,
      detectorTraining: null,
      stopped: null,
      status: {
        ...idle(),
        active: true,
        run: runName,
        sftRun: sftName,
        dataset: datasetName,
        instruction,
        reward: args.reward,
        groupSize: args.groupSize,
        groupsPerUpdate: args.groupsPerUpdate,
        timeLimitS: args.timeLimitS,
        fps,
        temperature: args.temperature,
      },
    } satisfies Omit<Active, 'session'> & { session: RobotRlSession });
    this.active = a;
    session.start();
    this.hooks.log(
      'info',
      `RL on the robot: "${instruction}" from ${sftName}, groups of ${args.groupSize}, rollouts into ${datasetName}`,
    );
    return this.snapshot(a);
  }

  /** The person reset the scene (Enter, B or a pedal): the next episode starts. */
  async resetDone(): Promise<Status> {
    const a = this.require();
    if (a.status.phase !== 'awaiting-reset') {
      throw new ApiError(
        'failed',
        `No episode is waiting for a scene reset (the session is ${a.status.phase})`,
      );
    }
    if (a.context.loop.safety.estopped) {
      throw new ApiError('failed', 'E-stop is active: release it before the next episode starts');
    }
    if (a.context.resetScene) {
      if (a.status.groupIndex === 0) a.groupSeed = a.status.groupsDone + 1;
      await a.context.resetScene(a.groupSeed);
    }
    a.session.resetDone();
    return this.snapshot(a);
  }

  /** Success / failure key: ends a running episode with that reward, or answers the label prompt. */
  label(success: boolean): Status {
    const a = this.require();
    if (a.status.phase !== 'running' && a.status.phase !== 'labelling') {
      throw new ApiError(
        'failed',
        `No episode is running or waiting for a label (the session is ${a.status.phase}): press S or F during an episode or when asked to label it`,
      );
    }
    if (a.status.phase === 'labelling' && a.pendingId) {
      // answered by id: the label is kept even while the detector is still scoring the final frame
      a.personLabelled.add(a.pendingId);
      a.labels.label(a.pendingId, success);
      return this.snapshot(a);
    }
    try {
      a.session.label(success);
    } catch (err) {
      throw new ApiError('failed', err instanceof Error ? err.message : String(err));
    }
    return this.snapshot(a);
  }

  /** A person takes over (teleop moves the arm, steps are flagged as interventions) or hands back. */
  takeOver(active: boolean): Status {
    const a = this.require();
    if (active && a.status.phase !== 'running') {
      throw new ApiError('failed', `Taking over is for a running episode (the session is ${a.status.phase})`);
    }
    a.session.takeOver(active);
    a.status.intervening = active;
    a.context.loop.resync(null);
    return this.snapshot(a);
  }

  /** Train the success detector on the labelled final frames; precision and recall on held-out labels. */
  async trainDetector(): Promise<Status> {
    const a = this.require();
    const d = a.detector;
    if (!d) throw new ApiError('failed', 'The success detector needs a "front" camera');
    await this.retrainDetector(a, true);
    return this.snapshot(a);
  }

  autoLabel(enabled: boolean): Status {
    const a = this.require();
    const d = a.detector;
    if (!d) throw new ApiError('failed', 'The success detector needs a "front" camera');
    try {
      d.setAutoLabel(enabled);
    } catch (err) {
      throw new ApiError('failed', err instanceof Error ? err.message : String(err));
    }
    return this.snapshot(a);
  }

  /**
   * The person overrules a finished episode's label: the dataset's label changes and the correction
   * becomes a detector training label (the update that already used the episode is not redone).
   */
  async overrule(
    episode: number,
    success: boolean,
    relabel: (dataset: string, index: number, success: boolean) => Promise<void>,
  ): Promise<Status> {
    const a = this.require();
    const e = a.status.episodes.find((x) => x.episode === episode);
    if (!e)
      throw new ApiError('invalid_args', `Episode ${episode} has not finished in this session`, 'episode');
    if (e.datasetIndex !== null) await relabel(a.status.dataset ?? '', e.datasetIndex, success);
    const images = a.finalImages.get(episode);
    if (a.detector && images && (e.reward === 1) !== success) {
      a.detector.overrule(
        { id: `robot-ep-${episode}`, task: '', instruction: '', finalImages: images },
        success,
      );
      const front = images[DETECTOR_CAMERA];
      if (front) a.labelStore?.add(DETECTOR_CAMERA, front, success);
    }
    e.reward = success ? 1 : 0;
    e.labelledBy = 'person';
    return this.snapshot(a);
  }

  /** End the session: the running episode is cut short (kept on disk, unlabelled), a running update finishes. */
  async stop(): Promise<Status> {
    const a = this.require();
    a.stopped ??= this.finish(a);
    await a.stopped;
    return this.last;
  }

  async close(): Promise<void> {
    if (this.active) await this.stop().catch(() => undefined);
  }

  private async finish(a: Active): Promise<void> {
    await a.session.stop();
    await a.recorder.close();
    await a.detectorTraining;
    a.unsubscribe();
    const run = readRun(a.run.name) ?? a.run;
    let policy: string | null = null;
    try {
      policy = exportRlPolicy(run.name, a.status.sftRun ?? '');
    } catch (err) {
      this.hooks.log('warn', `Exporting the robot RL policy failed: ${String(err)}`);
    }
    run.state = 'done';
    run.result = {
      policyVersion: a.session.policyVersion,
      episodes: a.status.episodes.length,
      successes: a.status.episodes.filter((e) => e.reward === 1).length,
      interventionEpisodes: a.status.episodes.filter((e) => e.interventionSteps > 0).length,
      policy,
    };
    writeRun(run);
    a.status.phase = 'stopped';
    a.status.active = false;
    this.last = this.snapshot(a);
    this.active = null;
    this.hooks.emit({ event: { type: 'stopped' }, status: this.last });
    this.hooks.log(
      'info',
      `RL on the robot stopped after ${a.status.episodes.length} episodes, policy version ${a.session.policyVersion}`,
    );
  }

  private require(): Active {
    if (!this.active) {
      throw new ApiError('failed', 'No RL session is running on the robot: start one first (robotRl.start)');
    }
    return this.active;
  }

  private onEvent(a: Active, e: RobotSessionEvent): void {
    const s = a.status;
    switch (e.type) {
      case 'awaiting-reset':
        s.phase = 'awaiting-reset';
        s.episode = e.episode;
        s.groupIndex = e.groupIndex;
        s.intervening = false;
        a.session.takeOver(false);
        break;
      case 'episode-started':
        s.phase = 'running';
        s.policyVersion = e.policyVersion; // a resumed run starts from its checkpoint's version
        break;
      case 'awaiting-label':
        s.phase = 'labelling';
        a.pendingId = e.id;
        s.proposal = null;
        // the detector scores the final frame first; show its proposal once it has one
        setTimeout(() => {
          const p = a.detector?.proposal(e.id);
          if (p !== undefined && a.pendingId === e.id) {
            s.proposal = p;
            this.hooks.emit({
              event: { type: 'proposal', id: e.id, probability: p },
              status: this.snapshot(a),
            });
          }
        }, 50);
        break;
      case 'episode-ended': {
        const id = `robot-ep-${e.episode}`;
        const keyed = e.end === 'success-key' || e.end === 'failure-key';
        const episode: Episode = {
          episode: e.episode,
          datasetIndex: a.recorder.lastIndex,
          policyVersion: s.policyVersion,
          end: e.end,
          reward: e.reward,
          labelledBy: keyed
            ? 'key'
            : e.end === 'estop'
              ? 'estop'
              : a.personLabelled.has(id) || !a.detector?.autoLabel
                ? 'person'
                : 'detector',
          steps: e.steps,
          interventionSteps: e.interventionSteps,
          detectorProbability: a.detector?.proposal(id) ?? null,
        };
        s.episodes.push(episode);
        s.groupIndex++;
        s.proposal = null;
        a.pendingId = null;
        if (a.latestImages) a.finalImages.set(e.episode, a.latestImages);
        // a success/failure key is a label too: the detector learns from that final frame
        if (keyed && a.detector && a.latestImages) a.detector.addLabel(a.latestImages, e.reward === 1);
        const front = a.latestImages?.[DETECTOR_CAMERA];
        if (front && (episode.labelledBy === 'key' || episode.labelledBy === 'person'))
          a.labelStore?.add(DETECTOR_CAMERA, front, e.reward === 1);
        break;
      }
      case 'group-complete':
        s.groupIndex = 0;
        s.groupsDone++;
        if (!e.informative) s.groupsDropped++;
        void this.retrainDetector(a, false);
        break;
      case 'update-started':
        s.updating = true;
        break;
      case 'updated': {
        s.updating = false;
        s.policyVersion = e.policyVersion;
        const metrics = Object.fromEntries(
          Object.entries(e.metrics).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)),
        ) as Record<string, number>;
        s.lastUpdate = { policyVersion: e.policyVersion, metrics };
        const row = { update: e.policyVersion, t: Date.now(), ...metrics, episodes: s.episodes.length };
        appendFileSync(join(rlJobDir(a.run.name), 'metrics.jsonl'), `${JSON.stringify(row)}\n`);
        const run = readRun(a.run.name) ?? a.run;
        run.result = {
          ...run.result,
          policyVersion: e.policyVersion,
          checkpoint: latestCheckpoint(rlJobDir(a.run.name)),
        };
        writeRun(run);
        this.hooks.log('info', `Robot RL update ${e.policyVersion}: loss ${metrics.loss?.toFixed(4) ?? '—'}`);
        break;
      }
      case 'update-failed':
        s.updating = false;
        s.error = e.message;
        this.hooks.log('error', `Robot RL: ${e.message}`);
        break;
      case 'stopped':
        return; // finish() reports the final status
    }
    this.hooks.emit({ event: { ...e }, status: this.snapshot(a) });
  }

  /** Retrain on every label so far (after each group, or when asked); switch auto-labelling on if chosen. */
  private async retrainDetector(a: Active, explicit: boolean): Promise<void> {
    const d = a.detector;
    if (!d) return;
    if (a.detectorTraining) {
      await a.detectorTraining;
      if (!explicit) return;
    }
    a.detectorTraining = (async () => {
      try {
        await d.train(200);
        if (a.args.reward === 'detector' && d.goodEnough && !d.autoLabel) d.setAutoLabel(true);
        if (!d.goodEnough && d.autoLabel) d.setAutoLabel(false);
      } catch (err) {
        if (explicit) throw new ApiError('failed', err instanceof Error ? err.message : String(err));
      } finally {
        a.detectorTraining = null;
        this.hooks.emit({ event: { type: 'detector' }, status: this.snapshot(a) });
      }
    })();
    await a.detectorTraining;
  }

  private snapshot(a: Active): Status {
    const s = a.status;
    const st = a.session.state;
    const d = a.detector;
    const q = d?.quality ?? null;
    return {
      ...s,
      seq: ++this.seq,
      prompt: s.intervening
        ? 'You have the arm — T hands back to the policy, S / F end the episode'
        : PROMPTS[s.phase],
      updating: st.updating,
      episodes: s.episodes.map((e) => ({ ...e })),
      detector: d
        ? {
            labels: d.labelCount,
            trained: q !== null,
            training: a.detectorTraining !== null,
            precision: q?.precision ?? null,
            recall: q?.recall ?? null,
            heldOut: q?.heldOut ?? 0,
            goodEnough: d.goodEnough,
            autoLabel: d.autoLabel,
            bar: DETECTOR_BAR,
          }
        : null,
    };
  }
}

function datasetRootOf(name: string): string {
  return join(datasetsDir(), name);
}
