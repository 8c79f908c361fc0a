import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../nn/checkpoint';
import type { ParamValues } from '../nn/model';
import type { TrainingRow } from './grpo/batch';
import {
  type AnchorDecision,
  DEMO_ANCHOR_ROWS,
  type DemoAnchorOptions,
  demoAnchorRows,
} from './grpo/demo-anchor';
import { type Demo, DemoStartCurriculum, type DemoStartOptions } from './grpo/demo-starts';
import { collectDynamicBatch, type DynamicSamplingStats } from './grpo/dynamic-sampling';
import { StateSampler, type StateSampling } from './grpo/state-sampler';
import { ThreadedGrpoUpdater } from './grpo/threaded-updater';
import type { RolloutGroup } from './grpo/types';
import { type GrpoUpdateConfig, GrpoUpdater, type PolicyUpdater, type UpdateMetrics } from './grpo/update';
import { WeightAverage } from './grpo/weight-average';
import type { PolicyState, TokenPolicy } from './policy';
import { PolicyRunner } from './policy-runner';
import type { RolloutRecorder } from './recorder';
import type { RewardSource } from './reward/types';
import { type EnvPool, type GroupRequest, playGroups } from './sim-rollouts';
import { RL_TEMPERATURE } from './temperature';

export interface RlJobConfig {
  /** Run folder: metrics.jsonl, run.json, checkpoints/. Reusing a folder resumes the run. */
  runDir: string;
  tasks: string[];
  policy: TokenPolicy;
  /** Starting weights (the SFT policy). Ignored when resuming from a checkpoint. */
  initialParams: ParamValues;
  pool: EnvPool;
  /** Policy updates to run (total, counting those before a resume). */
  updates: number;
  /** Rollouts per group (SimpleVLA-RL: 8). */
  groupSize?: number;
  /** Kept groups per batch (default 16 in sim). */
  groupsPerBatch?: number;
  /** Bound on groups sampled per batch (default 4 x groupsPerBatch). */
  maxGroupsPerBatch?: number;
  /** Rollout temperature (default RL_TEMPERATURE.sim). */
  temperature?: number;
  /**
   * Greedy rollouts per group, beside the sampled ones (default 0): their rewards join the group's
   * advantages, so updates also judge the deterministic policy that evaluation scores, and their
   * success is reported per task (`greedySuccessByTask`). See SimRolloutOptions.greedyPerGroup.
   */
  greedyPerGroup?: number;
  maxSteps?: number;
  /**
   * Step limits of the training rollouts by task (e.g. twice the demo's length), below the task's
   * own: all-fail groups then end sooner. Evaluation keeps `maxSteps` or the task's limit.
   */
  maxStepsByTask?: Record<string, number>;
  update?: GrpoUpdateConfig;
  /**
   * Train in a worker thread of its own and collect the next batch while an update trains (the
   * next batch is then played by weights one update behind, which the PPO ratio against the
   * stored behaviour log-probs accounts for). Needs a policy with a `spec`. Default off.
   */
  overlap?: boolean;
  /** Initial-state seeds are drawn from [0, seedRange) (default 1e6); pass a small range to train on few states. */
  seedRange?: number;
  /** How seeds are drawn (default 'uniform'; 'informative' favours states whose groups disagree). */
  stateSampling?: StateSampling;
  /** Seed of the job's random streams (initial states, sampling, mini-batches). */
  seed?: number;
  /**
   * A reverse curriculum from one demo per task (sim only): some groups start partway through the
   * task's demo, and the start moves back as the policy succeeds from it (grpo/demo-starts).
   */
  demoStarts?: { demos: Record<string, Demo> } & DemoStartOptions;
  /** A behaviour-cloning term on the SFT demos inside every update (grpo/demo-anchor); off by default. */
  demoAnchor?: { decisions: AnchorDecision[] } & DemoAnchorOptions;
  /** Greedy evaluation on these seeds per task, before the first and after every `evalEvery` updates. */
  evalSeeds?: number[];
  evalEvery?: number;
  /**
   * Keep an exponential moving average of the weights with this decay per update (e.g. 0.95;
   * grpo/weight-average). Evaluation, best.ckpt and `averageParams` then use the average; rollouts
   * and updates keep the live weights. Off by default.
   */
  weightAverage?: number;
  /** Consecutive batches with no informative group before the job gives up (default 3). */
  maxStalledBatches?: number;
  reward?: RewardSource;
  recorder?: RolloutRecorder;
  signal?: AbortSignal;
  onEvent?: (event: RlEvent) => void;
}

export interface PhaseTimes {
  rolloutMs: number;
  inferenceMs: number;
  envMs: number;
  recordWaitMs: number;
  /** The update's own time; with `overlap` it ran while the next batch was collected. */
  updateMs: number;
  /** Time the loop waited for the update (all of updateMs without `overlap`). */
  updateWaitMs: number;
  checkpointMs: number;
}

export type RlEvent =
  | { type: 'started'; runDir: string; resumedFrom: number | null; policyVersion: number }
  | {
      type: 'update';
      update: number;
      policyVersion: number;
      /** Sampled-rollout success rate per task this batch (temperature sampling). */
      successByTask: Record<string, number>;
      /** With greedyPerGroup: success rate of the batch's greedy rollouts per task. */
      greedySuccessByTask?: Record<string, number>;
      groupsKept: number;
      groupsDropped: number;
      allFail: number;
      allSuccess: number;
      metrics: UpdateMetrics | null;
      times: PhaseTimes;
      /** With demoStarts: each task's current start step in its demo (0 = from the beginning). */
      demoStarts?: Record<string, number>;
    }
  | {
      type: 'eval';
      policyVersion: number;
      successByTask: Record<string, number>;
      average: number;
      /** This evaluation is the best so far; its weights are now in `bestCheckpoint(runDir)`. */
      best: boolean;
    }
  | { type: 'stalled'; update: number; message: string }
  | { type: 'checkpoint'; path: string; policyVersion: number }
  | { type: 'done'; reason: 'completed' | 'cancelled' | 'converged' | 'stalled'; policyVersion: number };

export interface RlJobResult {
  reason: 'completed' | 'cancelled' | 'converged' | 'stalled';
  policyVersion: number;
  params: ParamValues;
  /** Greedy success per task: first and last evaluation (when evalSeeds were given). */
  evalBefore?: Record<string, number>;
  evalAfter?: Record<string, number>;
  /** The best greedy evaluation of the run (ties go to the later one), whose weights are in best.ckpt. */
  best?: BestEval;
  /** With `weightAverage`: the averaged weights after the last update. */
  averageParams?: ParamValues;
  message?: string;
}

export interface BestEval {
  policyVersion: number;
  average: number;
  successByTask: Record<string, number>;
}

export const RL_SIM_DEFAULTS = {
  groupSize: 8,
  groupsPerBatch: 16,
  temperature: RL_TEMPERATURE.sim,
  seedRange: 1_000_000,
  evalEvery: 5,
};

const rates = (counts: Record<string, { success: number; total: number }>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v.success / Math.max(1, v.total)]));

export const latestCheckpoint = (runDir: string) => join(runDir, 'checkpoints', 'latest.ckpt');
/**
 * The weights of the run's best greedy evaluation (with evalSeeds). RL can lose success late in a
 * run (a policy that sharpens on one task forgets another), so the app exports these, not the last.
 */
export const bestCheckpoint = (runDir: string) => join(runDir, 'checkpoints', 'best.ckpt');
const averageCheckpoint = (runDir: string) => join(runDir, 'checkpoints', 'average.ckpt');

function readBest(runDir: string): BestEval | undefined {
  const path = bestCheckpoint(runDir);
  return existsSync(path) ? (loadCheckpoint(path).meta.best as BestEval | undefined) : undefined;
}

/** A small deterministic stream (mulberry32) whose state survives a checkpoint. */
class Stream {
  constructor(public state: number) {}
  next = (): number => {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The RL loop: rollouts -> dynamic sampling -> GRPO update, with a checkpoint after every update
 * (resuming from it after a crash), a JSONL metrics file, progress events and cancellation.
 */
export async function runRlJob(cfg: RlJobConfig): Promise<RlJobResult> {
  const groupSize = cfg.groupSize ?? RL_SIM_DEFAULTS.groupSize;
  const groupsPerBatch = cfg.groupsPerBatch ?? RL_SIM_DEFAULTS.groupsPerBatch;
  const temperature = cfg.temperature ?? RL_SIM_DEFAULTS.temperature;
  const seedRange = cfg.seedRange ?? RL_SIM_DEFAULTS.seedRange;
  const evalEvery = cfg.evalEvery ?? RL_SIM_DEFAULTS.evalEvery;
  if (cfg.tasks.length === 0) throw new Error('RL job needs at least one task');
  mkdirSync(join(cfg.runDir, 'checkpoints'), { recursive: true });
  const metricsPath = join(cfg.runDir, 'metrics.jsonl');
  const emit = (e: RlEvent) => {
    appendFileSync(metricsPath, `${JSON.stringify({ t: new Date().toISOString(), ...e })}\n`);
    cfg.onEvent?.(e);
  };

  const updateConfig = { temperature, ...cfg.update };
  const updater: PolicyUpdater = cfg.overlap
    ? await ThreadedGrpoUpdater.create(cfg.policy, cfg.initialParams, updateConfig)
    : await GrpoUpdater.create(cfg.policy, cfg.initialParams, updateConfig);
  const runner = new PolicyRunner(cfg.policy, cfg.update?.threads);
  const rand = new Stream((cfg.seed ?? 1) >>> 0);
  const states = new StateSampler(cfg.stateSampling ?? 'uniform', seedRange);
  const curriculum = cfg.demoStarts ? new DemoStartCurriculum(cfg.demoStarts.demos, cfg.demoStarts) : null;
  let done = 0;
  let resumedFrom: number | null = null;
  let best: BestEval | undefined;
  let average: WeightAverage | undefined;
  const ckptPath = latestCheckpoint(cfg.runDir);
  if (existsSync(ckptPath)) {
    const meta = await updater.restore(ckptPath);
    done = Number(meta.updates ?? 0);
    rand.state = Number(meta.rngState ?? rand.state) >>> 0;
    states.restore(meta.stateStats);
    curriculum?.restore(meta.demoStarts);
    resumedFrom = done;
    best = readBest(cfg.runDir);
    if (cfg.weightAverage !== undefined && existsSync(averageCheckpoint(cfg.runDir)))
      average = WeightAverage.load(averageCheckpoint(cfg.runDir), cfg.policy.model, cfg.weightAverage);
  } else {
    writeFileSync(
      join(cfg.runDir, 'run.json'),
      JSON.stringify(
        {
          tasks: cfg.tasks,
          model: cfg.policy.model.name,
          groupSize,
          groupsPerBatch,
          temperature,
          greedyPerGroup: cfg.greedyPerGroup ?? 0,
          stateSampling: states.mode,
          ...(cfg.weightAverage !== undefined ? { weightAverage: cfg.weightAverage } : {}),
          ...(cfg.demoAnchor
            ? { demoAnchor: { weight: cfg.demoAnchor.weight, rows: cfg.demoAnchor.rows ?? DEMO_ANCHOR_ROWS } }
            : {}),
          ...(curriculum
            ? {
                demoStarts: {
                  share: curriculum.share,
                  stride: curriculum.stride,
                  advanceAt: curriculum.advanceAt,
                },
              }
            : {}),
          update: cfg.update ?? {},
          overlap: cfg.overlap ?? false,
        },
        null,
        2,
      ),
    );
  }
  // the weights rollouts play: swapped only between batches, when an update is applied
  let live = updater.params;
  if (cfg.weightAverage !== undefined) average ??= new WeightAverage(cfg.weightAverage, live);
  const state = (): PolicyState => ({ policy: cfg.policy, params: live, version: done });
  emit({ type: 'started', runDir: cfg.runDir, resumedFrom, policyVersion: done });

  const evaluate = async (): Promise<Record<string, number>> => {
    const seeds = cfg.evalSeeds ?? [];
    const out: Record<string, number> = {};
    const judged = average ? { ...state(), params: average.params } : state();
    for (const task of cfg.tasks) {
      const res = await playGroups({
        pool: cfg.pool,
        runner,
        state: judged,
        groups: seeds.map((seed) => ({ task, seed })),
        groupSize: 1,
        temperature: 0,
        maxSteps: cfg.maxSteps,
        signal: cfg.signal,
      });
      const all = res.played.flat();
      out[task] = all.filter((p) => p.success).length / Math.max(1, all.length);
    }
    const values = Object.values(out);
    const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    const isBest = !best || mean >= best.average;
    if (isBest) {
      best = { policyVersion: done, average: mean, successByTask: out };
      const meta = { updates: done, tasks: cfg.tasks, best };
      if (average) average.save(bestCheckpoint(cfg.runDir), cfg.policy.model, meta);
      else await updater.save(bestCheckpoint(cfg.runDir), meta);
    }
    emit({ type: 'eval', policyVersion: done, successByTask: out, average: mean, best: isBest });
    return out;
  };

  let nextTask = 0;
  const sample = async (count: number): Promise<RolloutGroup[]> => {
    const requests: GroupRequest[] = Array.from({ length: count }, () => {
      const task = states.pickTask(cfg.tasks, nextTask++, rand.next);
      const start = curriculum?.pick(task, rand.next);
      const maxSteps = cfg.maxStepsByTask?.[task];
      return {
        task,
        ...(start ?? { seed: states.pick(task, rand.next) }),
        ...(maxSteps ? { maxSteps } : {}),
      };
    }).sort((a, b) => a.task.localeCompare(b.task));
    const res = await playGroups({
      pool: cfg.pool,
      runner,
      state: state(),
      groups: requests,
      groupSize,
      temperature,
      greedyPerGroup: cfg.greedyPerGroup,
      maxSteps: cfg.maxSteps,
      reward: cfg.reward,
      keepFrames: !!cfg.recorder,
      frameImages: cfg.recorder?.recordsImages ?? false,
      random: rand.next,
      signal: cfg.signal,
      onRollout: cfg.recorder
        ? (p, req) =>
            cfg.recorder?.record(p, {
              task: req.task,
              instruction: cfg.pool.envs.find((e) => e.taskId === req.task)?.instruction ?? req.task,
              policyVersion: p.rollout.policyVersion,
              reward: p.rollout.reward,
            })
        : undefined,
    });
    phase.inferenceMs += res.times.inferenceMs;
    phase.envMs += res.times.envMs;
    phase.recordWaitMs += res.times.recordWaitMs;
    res.groups.forEach((g, i) => {
      const wins = g.rollouts.filter((r) => r.reward === 1).length;
      const prefix = requests[i]?.prefix?.length ?? 0;
      if (prefix > 0) curriculum?.observe(g.task, prefix, wins, g.rollouts.length);
      else states.observe(g.task, g.seed, wins, g.rollouts.length);
    });
    return res.groups;
  };

  const noTimes = (): PhaseTimes => ({
    rolloutMs: 0,
    inferenceMs: 0,
    envMs: 0,
    recordWaitMs: 0,
    updateMs: 0,
    updateWaitMs: 0,
    checkpointMs: 0,
  });
  let phase = noTimes();
  let reason: RlJobResult['reason'] = 'completed';
  let message: string | undefined;
  const result: Partial<RlJobResult> = {};
  let stalledBatches = 0;

  /** An update started on a batch, with what its report needs. */
  interface Launched {
    result: Promise<{ metrics: UpdateMetrics; ms: number }>;
    stats: Pick<DynamicSamplingStats, 'kept' | 'dropped' | 'allFail' | 'allSuccess'> & {
      successByTask: Record<string, number>;
      greedySuccessByTask: Record<string, number>;
    };
    times: PhaseTimes;
  }
  const launch = (
    groups: RolloutGroup[],
    anchor: TrainingRow[],
    stats: Launched['stats'],
    times: PhaseTimes,
  ): Launched => {
    const t0 = performance.now();
    const result = updater
      .update(groups, rand.next, anchor)
      .then((metrics) => ({ metrics, ms: performance.now() - t0 }));
    // a failure surfaces where the update is awaited, not as an unhandled rejection meanwhile
    result.catch(() => {});
    return { result, stats, times };
  };
  /** Wait for a launched update, take its weights, checkpoint and report it. */
  const finish = async (u: Launched, evaluateAfter: boolean) => {
    const tWait = performance.now();
    const { metrics, ms } = await u.result;
    u.times.updateWaitMs = performance.now() - tWait;
    u.times.updateMs = ms;
    live = updater.params;
    done++;
    const t0 = performance.now();
    average?.update(live);
    average?.save(averageCheckpoint(cfg.runDir), cfg.policy.model, { updates: done });
    await updater.save(ckptPath, {
      updates: done,
      rngState: rand.state,
      tasks: cfg.tasks,
      stateStats: states.snapshot(),
      ...(curriculum ? { demoStarts: curriculum.snapshot() } : {}),
    });
    u.times.checkpointMs = performance.now() - t0;
    emit({ type: 'checkpoint', path: ckptPath, policyVersion: done });
    emit({
      type: 'update',
      update: done,
      policyVersion: done,
      successByTask: u.stats.successByTask,
      ...(Object.keys(u.stats.greedySuccessByTask).length
        ? { greedySuccessByTask: u.stats.greedySuccessByTask }
        : {}),
      groupsKept: u.stats.kept,
      groupsDropped: u.stats.dropped,
      allFail: u.stats.allFail,
      allSuccess: u.stats.allSuccess,
      metrics,
      times: u.times,
      ...(curriculum ? { demoStarts: curriculum.starts() } : {}),
    });
    if (evaluateAfter && cfg.evalSeeds?.length && (done % evalEvery === 0 || done === cfg.updates))
      result.evalAfter = await evaluate();
  };
  let training: Launched | null = null;
  try {
    if (cfg.evalSeeds?.length) result.evalBefore = await evaluate();
    while (done + (training ? 1 : 0) < cfg.updates) {
      phase = noTimes();
      const t0 = performance.now();
      const batch = await collectDynamicBatch(sample, {
        groups: groupsPerBatch,
        maxGroups: cfg.maxGroupsPerBatch,
        signal: cfg.signal,
      });
      const tFlush = performance.now();
      await cfg.recorder?.flush?.();
      phase.recordWaitMs += performance.now() - tFlush;
      phase.rolloutMs = performance.now() - t0;
      const s = batch.stats;
      const successByTask = rates(s.successByTask);
      if (batch.groups.length === 0) {
        message = batch.shortfall ?? 'no informative groups';
        emit({ type: 'stalled', update: done, message });
        if (s.allSuccess === s.dropped) {
          reason = 'converged';
          break;
        }
        if (++stalledBatches >= (cfg.maxStalledBatches ?? 3)) {
          reason = 'stalled';
          break;
        }
        continue;
      }
      stalledBatches = 0;
      message = undefined;
      if (batch.shortfall) emit({ type: 'stalled', update: done, message: batch.shortfall });
      const previous = training;
      training = null;
      if (previous) await finish(previous, true);
      const anchor = cfg.demoAnchor
        ? await demoAnchorRows(
            runner,
            state(),
            cfg.demoAnchor.decisions,
            { ...cfg.demoAnchor, temperature: updater.temperature },
            rand.next,
          )
        : [];
      const launched = launch(
        batch.groups,
        anchor,
        { ...s, successByTask, greedySuccessByTask: rates(s.greedySuccessByTask) },
        phase,
      );
      if (cfg.overlap) training = launched;
      else await finish(launched, true);
    }
    const last = training;
    training = null;
    if (last) await finish(last, true);
  } catch (err) {
    if (!cfg.signal?.aborted) throw err;
    reason = 'cancelled';
    // keep the update that was training when the run was cancelled
    if (training) await finish(training, false);
  } finally {
    await runner.release();
    await updater.release();
  }
  const params = new Map(updater.params);
  emit({ type: 'done', reason, policyVersion: done });
  return {
    ...result,
    reason,
    policyVersion: done,
    params,
    ...(best ? { best } : {}),
    ...(average ? { averageParams: average.params } : {}),
    ...(message ? { message } : {}),
  };
}
