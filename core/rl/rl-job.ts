import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../nn/checkpoint';
import type { ParamValues } from '../nn/model';
import {
  type AnchorDecision,
  DEMO_ANCHOR_ROWS,
  type DemoAnchorOptions,
  demoAnchorRows,
} from './grpo/demo-anchor';
import { type Demo, DemoStartCurriculum, type DemoStartOptions } from './grpo/demo-starts';
import { collectDynamicBatch } from './grpo/dynamic-sampling';
import { StateSampler, type StateSampling } from './grpo/state-sampler';
import type { RolloutGroup } from './grpo/types';
import { type GrpoUpdateConfig, GrpoUpdater, type UpdateMetrics } from './grpo/update';
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
  maxSteps?: number;
  /**
   * Step limits of the training rollouts by task (e.g. twice the demo's length), below the task's
   * own: all-fail groups then end sooner. Evaluation keeps `maxSteps` or the task's limit.
   */
  maxStepsByTask?: Record<string, number>;
  update?: GrpoUpdateConfig;
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
  updateMs: number;
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
      groupsKept: number;
      groupsDropped: number;
      allFail: number;
      allSuccess: number;
      metrics: UpdateMetrics | null;
      times: PhaseTimes;
      /** With demoStarts: each task's current start step in its demo (0 = from the beginning). */
      demoStarts?: Record<string, number>;
    }
  | { type: 'eval'; policyVersion: number; successByTask: Record<string, number>; average: number }
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
  message?: string;
}

export const RL_SIM_DEFAULTS = {
  groupSize: 8,
  groupsPerBatch: 16,
  temperature: RL_TEMPERATURE.sim,
  seedRange: 1_000_000,
  evalEvery: 5,
};

export const latestCheckpoint = (runDir: string) => join(runDir, 'checkpoints', 'latest.ckpt');

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

  const updater = await GrpoUpdater.create(cfg.policy, cfg.initialParams, { temperature, ...cfg.update });
  const runner = new PolicyRunner(cfg.policy, cfg.update?.threads);
  const rand = new Stream((cfg.seed ?? 1) >>> 0);
  const states = new StateSampler(cfg.stateSampling ?? 'uniform', seedRange);
  const curriculum = cfg.demoStarts ? new DemoStartCurriculum(cfg.demoStarts.demos, cfg.demoStarts) : null;
  let done = 0;
  let resumedFrom: number | null = null;
  const ckptPath = latestCheckpoint(cfg.runDir);
  if (existsSync(ckptPath)) {
    const ckpt = loadCheckpoint(ckptPath);
    updater.trainer.restore(ckpt, `checkpoint ${ckptPath}`);
    done = Number(ckpt.meta.updates ?? 0);
    rand.state = Number(ckpt.meta.rngState ?? rand.state) >>> 0;
    states.restore(ckpt.meta.stateStats);
    curriculum?.restore(ckpt.meta.demoStarts);
    resumedFrom = done;
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
          stateSampling: states.mode,
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
        },
        null,
        2,
      ),
    );
  }
  const state = (): PolicyState => ({ policy: cfg.policy, params: updater.params, version: done });
  emit({ type: 'started', runDir: cfg.runDir, resumedFrom, policyVersion: done });

  const evaluate = async (): Promise<Record<string, number>> => {
    const seeds = cfg.evalSeeds ?? [];
    const out: Record<string, number> = {};
    for (const task of cfg.tasks) {
      const res = await playGroups({
        pool: cfg.pool,
        runner,
        state: state(),
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
    emit({
      type: 'eval',
      policyVersion: done,
      successByTask: out,
      average: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length),
    });
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
    checkpointMs: 0,
  });
  let phase = noTimes();
  let reason: RlJobResult['reason'] = 'completed';
  let message: string | undefined;
  const result: Partial<RlJobResult> = {};
  let stalledBatches = 0;
  try {
    if (cfg.evalSeeds?.length) result.evalBefore = await evaluate();
    while (done < cfg.updates) {
      phase = noTimes();
      let t0 = performance.now();
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
      const successByTask: Record<string, number> = {};
      for (const [k, v] of Object.entries(s.successByTask))
        successByTask[k] = v.success / Math.max(1, v.total);
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
      t0 = performance.now();
      const anchor = cfg.demoAnchor
        ? await demoAnchorRows(
            runner,
            state(),
            cfg.demoAnchor.decisions,
            { ...cfg.demoAnchor, temperature: updater.config.temperature },
            rand.next,
          )
        : [];
      const metrics = await updater.update(batch.groups, rand.next, anchor);
      phase.updateMs = performance.now() - t0;
      done++;
      t0 = performance.now();
      updater.trainer.save(ckptPath, {
        updates: done,
        rngState: rand.state,
        tasks: cfg.tasks,
        stateStats: states.snapshot(),
        ...(curriculum ? { demoStarts: curriculum.snapshot() } : {}),
      });
      phase.checkpointMs = performance.now() - t0;
      emit({ type: 'checkpoint', path: ckptPath, policyVersion: done });
      emit({
        type: 'update',
        update: done,
        policyVersion: done,
        successByTask,
        groupsKept: s.kept,
        groupsDropped: s.dropped,
        allFail: s.allFail,
        allSuccess: s.allSuccess,
        metrics,
        times: phase,
        ...(curriculum ? { demoStarts: curriculum.starts() } : {}),
      });
      if (cfg.evalSeeds?.length && (done % evalEvery === 0 || done === cfg.updates))
        result.evalAfter = await evaluate();
    }
  } catch (err) {
    if (!cfg.signal?.aborted) throw err;
    reason = 'cancelled';
  } finally {
    await runner.release();
  }
  const params = new Map(updater.params);
  await updater.release();
  emit({ type: 'done', reason, policyVersion: done });
  return { ...result, reason, policyVersion: done, params, ...(message ? { message } : {}) };
}
