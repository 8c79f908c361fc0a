import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ControlLoop, ControlTick } from '../hardware/control-loop';
import type { ParamValues } from '../nn/model';
import { groupIsInformative } from './grpo/dynamic-sampling';
import { ThreadedGrpoUpdater } from './grpo/threaded-updater';
import type { ChunkDecision, Rollout, RolloutGroup } from './grpo/types';
import { type GrpoUpdateConfig, GrpoUpdater, type PolicyUpdater, type UpdateMetrics } from './grpo/update';
import type { PolicyState, TokenPolicy } from './policy';
import { PolicyRunner } from './policy-runner';
import type { RolloutRecorder } from './recorder';
import { HumanLabelReward } from './reward/human-label';
import type { Reward, RewardSource } from './reward/types';
import type { RolloutFrame } from './sim-rollouts';
import { RL_TEMPERATURE } from './temperature';

/** Real-robot defaults: smaller groups and batches than in simulation. */
export const ROBOT_RL_DEFAULTS = {
  groupSize: 4,
  groupsPerUpdate: 1,
  temperature: RL_TEMPERATURE.robot,
  timeLimitS: 30,
  rowsPerStep: 16,
};

export interface RobotSessionOptions {
  /** A started control loop: it owns the robot and the safety layer; the session only sets goals. */
  loop: ControlLoop;
  policy: TokenPolicy;
  params: ParamValues;
  instruction: string;
  /** Policy steps per second (the dataset's fps). */
  fps: number;
  groupSize?: number;
  groupsPerUpdate?: number;
  temperature?: number;
  timeLimitS?: number;
  update?: GrpoUpdateConfig;
  /** Decides rewards for episodes not labelled by a key during the run (default: ask the person). */
  reward?: RewardSource;
  /**
   * The person's labels (`label()` answers its prompts). Pass the same object to a SuccessDetector
   * used as `reward`, so the detector can fall back to the person.
   */
  labels?: HumanLabelReward;
  recorder?: RolloutRecorder;
  /**
   * Checkpoint file (weights and optimizer state) saved after every update; when it exists at
   * start, the session resumes from it (weights and policy version).
   */
  checkpoint?: string;
  onEvent?: (e: RobotSessionEvent) => void;
}

export type EpisodeEnd = 'success-key' | 'failure-key' | 'time-limit' | 'estop';

export type RobotSessionEvent =
  | { type: 'awaiting-reset'; episode: number; instruction: string; groupIndex: number; groupSize: number }
  | { type: 'episode-started'; episode: number; policyVersion: number }
  | { type: 'awaiting-label'; episode: number; id: string }
  | {
      type: 'episode-ended';
      episode: number;
      end: EpisodeEnd;
      reward: Reward;
      steps: number;
      interventionSteps: number;
    }
  | { type: 'group-complete'; groupId: string; rewards: Reward[]; informative: boolean }
  | { type: 'update-started'; groups: number; policyVersion: number }
  | { type: 'updated'; policyVersion: number; metrics: UpdateMetrics }
  | { type: 'update-failed'; message: string }
  | { type: 'stopped' };

type Phase = 'idle' | 'awaiting-reset' | 'running' | 'labelling' | 'stopped';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * RL on a physical arm. Each episode: show the instruction, wait for the person to reset the
 * scene (`resetDone`), run the policy at `fps` through the control loop (so every target passes
 * the safety layer), end on a success/failure key (`label`), the time limit or e-stop. Episodes
 * come in groups of `groupSize` from the same reset configuration; when enough informative groups
 * are in, a GRPO update runs in the background while the person keeps resetting, and the new
 * weights are used from the next episode on. Steps where the person took over (`takeOver`) are
 * recorded as interventions and get no policy gradient.
 */
export class RobotRlSession {
  private phase: Phase = 'idle';
  private params: ParamValues;
  private version = 0;
  private readonly runner: PolicyRunner;
  private updater: Promise<PolicyUpdater>;
  private updating: Promise<void> | null = null;
  private readonly humanReward: HumanLabelReward;
  private latest: ControlTick | null = null;
  private unsubscribe: () => void;
  private resetWaiter: (() => void) | null = null;
  private keyLabel: Reward | null = null;
  private intervening = false;
  private estopped = false;
  private stopping = false;
  private episode = 0;
  private group: Rollout[] = [];
  private groupSeq = 0;
  private ready: RolloutGroup[] = [];
  private runPromise: Promise<void> | null = null;
  private labelAbort = new AbortController();
  readonly opts: Required<
    Pick<RobotSessionOptions, 'groupSize' | 'groupsPerUpdate' | 'temperature' | 'timeLimitS'>
  > &
    RobotSessionOptions;

  constructor(options: RobotSessionOptions) {
    this.opts = { ...ROBOT_RL_DEFAULTS, ...options };
    this.params = new Map(options.params);
    this.humanReward = options.labels ?? new HumanLabelReward();
    this.runner = new PolicyRunner(options.policy);
    const updateConfig = {
      rowsPerStep: ROBOT_RL_DEFAULTS.rowsPerStep,
      temperature: this.opts.temperature,
      ...options.update,
    };
    // in a worker thread when the policy can be rebuilt there: a training step holds its thread,
    // and this one runs the policy and hears the e-stop key
    this.updater = options.policy.spec
      ? ThreadedGrpoUpdater.create(options.policy, options.params, updateConfig)
      : GrpoUpdater.create(options.policy, options.params, updateConfig);
    // a failed start surfaces where the updater is awaited (resume, update), not as an unhandled rejection
    this.updater.catch(() => {});
    this.unsubscribe = options.loop.onTick((t) => {
      this.latest = t;
    });
  }

  /** The reward source the UI answers when an episode ends without a success/failure key. */
  get labels(): HumanLabelReward {
    return this.humanReward;
  }

  get policyVersion(): number {
    return this.version;
  }

  /** The weights the next episode runs with. */
  get currentParams(): ParamValues {
    return this.params;
  }

  get state(): {
    phase: Phase;
    episode: number;
    policyVersion: number;
    updating: boolean;
    intervening: boolean;
  } {
    return {
      phase: this.phase,
      episode: this.episode,
      policyVersion: this.version,
      updating: !!this.updating,
      intervening: this.intervening,
    };
  }

  /** Start the episode loop (returns at once; `stop()` ends it). */
  start(): void {
    if (this.runPromise) throw new Error('The RL session is already running');
    this.runPromise = this.run().catch((err) => {
      this.emit({ type: 'update-failed', message: err instanceof Error ? err.message : String(err) });
    });
  }

  /** The scene is reset (key or pedal): start the next episode. */
  resetDone(): void {
    if (this.phase !== 'awaiting-reset' || !this.resetWaiter) {
      throw new Error(`No episode is waiting for a scene reset (session is ${this.phase})`);
    }
    this.takeResetWaiter()();
  }

  /** The pending scene-reset wait, cleared so a second key press cannot answer it again. */
  private takeResetWaiter(): () => void {
    const w = this.resetWaiter ?? (() => {});
    this.resetWaiter = null;
    return w;
  }

  /**
   * Success / failure key. During an episode it ends the episode with that reward; after an
   * episode that ended by time limit it answers the label prompt.
   */
  label(success: boolean): void {
    if (this.phase === 'running') {
      this.keyLabel = success ? 1 : 0;
      return;
    }
    const pending = this.humanReward.pending()[0];
    if (!pending) throw new Error('No episode is running or waiting for a label');
    this.humanReward.label(pending.episode.id, success);
  }

  /** A person takes over (leader arm / gamepad set the loop's goal) or hands back to the policy. */
  takeOver(active: boolean): void {
    this.intervening = active;
  }

  /** E-stop: the loop stops the arm now; the episode ends as a failure. */
  async estop(): Promise<void> {
    this.estopped = true;
    await this.opts.loop.estop();
  }

  /** Finish: ends the loop after the current episode is cut short, waits for a running update. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.resetWaiter) {
      // no longer waiting for a reset: a reset key pressed now is refused, not half-answered
      this.phase = 'idle';
      this.takeResetWaiter()();
    }
    this.labelAbort.abort(new Error('RL session stopped'));
    await this.runPromise;
    await this.updating;
    this.unsubscribe();
    await this.runner.release();
    await (await this.updater.catch(() => null))?.release();
    this.phase = 'stopped';
    this.emit({ type: 'stopped' });
  }

  private emit(e: RobotSessionEvent): void {
    this.opts.onEvent?.(e);
  }

  private async resume(): Promise<void> {
    const path = this.opts.checkpoint;
    if (!path || !existsSync(path)) return;
    const updater = await this.updater;
    const meta = await updater.restore(path);
    this.params = new Map(updater.params);
    this.version = Number(meta.updates ?? 0);
  }

  private async run(): Promise<void> {
    await this.resume();
    while (!this.stopping) {
      this.episode++;
      this.phase = 'awaiting-reset';
      await new Promise<void>((resolve) => {
        this.resetWaiter = resolve;
        this.emit({
          type: 'awaiting-reset',
          episode: this.episode,
          instruction: this.opts.instruction,
          groupIndex: this.group.length,
          groupSize: this.opts.groupSize,
        });
      });
      if (this.stopping) break;
      await this.runEpisode();
    }
  }

  private async observeTick(): Promise<ControlTick> {
    for (let i = 0; !this.latest; i++) {
      if (i > 200) throw new Error('The control loop is not ticking: start it before the RL session');
      await sleep(10);
    }
    return this.latest;
  }

  private async runEpisode(): Promise<void> {
    const o = this.opts;
    const state: PolicyState = { policy: o.policy, params: this.params, version: this.version };
    const maxSteps = Math.max(1, Math.round(o.timeLimitS * o.fps));
    const period = 1000 / o.fps;
    const decisions: ChunkDecision[] = [];
    const frames: RolloutFrame[] = [];
    const interventions: number[] = [];
    let chunk: number[][] = [];
    let end: EpisodeEnd = 'time-limit';
    this.keyLabel = null;
    this.estopped = false;
    this.phase = 'running';
    this.emit({ type: 'episode-started', episode: this.episode, policyVersion: this.version });
    let next = performance.now();
    let steps = 0;
    for (; steps < maxSteps; steps++) {
      if (this.keyLabel !== null) {
        end = this.keyLabel ? 'success-key' : 'failure-key';
        break;
      }
      if (this.estopped || o.loop.safety.estopped) {
        end = 'estop';
        break;
      }
      if (this.stopping) break;
      const tick = await this.observeTick();
      const k = steps % o.policy.chunk;
      if (k === 0) {
        const act = await this.runner.act(
          state,
          [{ state: tick.obs.state, images: tick.obs.images, instruction: o.instruction, step: steps }],
          o.temperature,
        );
        decisions.push(act.decisions[0] as ChunkDecision);
        chunk = act.actions[0] as number[][];
      }
      const policyGoal = chunk[k] as number[];
      let action = policyGoal;
      if (this.intervening) {
        interventions.push(steps);
        action = tick.raw ?? tick.obs.state;
      } else {
        o.loop.setGoal(policyGoal, true);
      }
      frames.push({ state: tick.obs.state, action, images: tick.obs.images, success: false });
      next += period;
      await sleep(Math.max(0, next - performance.now()));
    }
    if (steps >= maxSteps && end === 'time-limit' && this.keyLabel !== null)
      end = this.keyLabel ? 'success-key' : 'failure-key';
    const id = `robot-ep-${this.episode}`;
    let reward: Reward | null = null;
    if (end === 'success-key') reward = 1;
    else if (end === 'failure-key' || end === 'estop') reward = 0;
    else if (!this.stopping) {
      this.phase = 'labelling';
      this.emit({ type: 'awaiting-label', episode: this.episode, id });
      const source = o.reward ?? this.humanReward;
      reward = await source
        .reward(
          { id, task: o.instruction, instruction: o.instruction, finalImages: this.latest?.obs.images },
          this.labelAbort.signal,
        )
        .catch((err: unknown) => {
          if (this.stopping) return null;
          throw err;
        });
    }
    const last = frames[frames.length - 1];
    if (last) last.success = reward === 1;
    if (reward === null) {
      // cut short by stop() before anyone labelled it: kept on disk, success unknown, not learned from
      await o.recorder?.record(
        {
          rollout: {
            groupId: '',
            task: o.instruction,
            seed: 0,
            decisions,
            finishStep: steps,
            reward: 0,
            policyVersion: this.version,
          },
          frames,
          success: false,
        },
        { task: o.instruction, instruction: o.instruction, policyVersion: this.version, reward: null },
      );
      return;
    }
    const rollout: Rollout = {
      groupId: `robot-g${this.groupSeq}`,
      task: o.instruction,
      seed: this.groupSeq,
      decisions,
      finishStep: steps,
      interventionSteps: interventions,
      reward,
      policyVersion: this.version,
    };
    await o.recorder?.record(
      { rollout, frames, success: reward === 1 },
      { task: o.instruction, instruction: o.instruction, policyVersion: this.version, reward },
    );
    this.emit({
      type: 'episode-ended',
      episode: this.episode,
      end,
      reward,
      steps,
      interventionSteps: interventions.length,
    });
    if (decisions.length > 0) this.group.push(rollout);
    if (this.group.length >= o.groupSize) this.completeGroup();
  }

  private completeGroup(): void {
    const rollouts = this.group;
    this.group = [];
    const id = `robot-g${this.groupSeq++}`;
    const rewards = rollouts.map((r) => r.reward);
    const informative = groupIsInformative(rewards);
    this.emit({ type: 'group-complete', groupId: id, rewards, informative });
    if (informative) this.ready.push({ id, task: this.opts.instruction, seed: 0, rollouts });
    this.maybeUpdate();
  }

  /** Start a background update when enough informative groups are in and none is running. */
  private maybeUpdate(): void {
    if (this.updating || this.ready.length < this.opts.groupsPerUpdate) return;
    const groups = this.ready.splice(0);
    this.emit({ type: 'update-started', groups: groups.length, policyVersion: this.version });
    this.updating = (async () => {
      try {
        const updater = await this.updater;
        const metrics = await updater.update(groups);
        this.params = new Map(updater.params);
        this.version++;
        if (this.opts.checkpoint) {
          mkdirSync(dirname(this.opts.checkpoint), { recursive: true });
          await updater.save(this.opts.checkpoint, { updates: this.version });
        }
        this.emit({ type: 'updated', policyVersion: this.version, metrics });
      } catch (err) {
        this.emit({ type: 'update-failed', message: err instanceof Error ? err.message : String(err) });
      } finally {
        this.updating = null;
        if (!this.stopping) this.maybeUpdate();
      }
    })();
  }
}
