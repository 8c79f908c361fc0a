import type { CameraFrame } from '../hardware/robot';
import { rng } from '../nn/model';
import type { ChunkImages, ChunkStep } from '../sim/chunk';
import type { EnvMeta } from '../sim/vector/protocol';
import type { ChunkDecision, Rollout, RolloutGroup } from './grpo/types';
import type { PolicyObservation, PolicyState } from './policy';
import type { PolicyRunner } from './policy-runner';
import { SimSuccessReward } from './reward/sim-reward';
import type { RewardSource } from './reward/types';

/** The part of VectorEnv rollouts need (VectorEnv satisfies it; tests may pass in-process envs). */
export interface EnvPool {
  readonly size: number;
  readonly envs: readonly EnvMeta[];
  /** Reset to seeds[k]; `prefixes[k]`, when given, is replayed first (see core/sim/chunk resetAlong). */
  reset(
    seeds: number[],
    indices?: number[],
    prefixes?: (number[][] | undefined)[],
  ): Promise<{ state: number[]; images: Record<string, CameraFrame> }[]>;
  /** One open-loop action chunk per listed env (see VectorEnv.stepChunk). */
  stepChunk(
    actions: number[][][],
    indices: number[],
    limits: number[],
    images: ChunkImages,
  ): Promise<ChunkStep[][]>;
  setTask(index: number, task: string): Promise<EnvMeta>;
}

/** One env step of a rollout, kept when the caller records episodes. */
export interface RolloutFrame {
  state: number[];
  action: number[];
  images: Record<string, CameraFrame>;
  success: boolean;
}

export interface PlayedRollout {
  rollout: Rollout;
  /** Present when `keepFrames` was set. */
  frames?: RolloutFrame[];
  success: boolean;
}

export interface GroupRequest {
  task: string;
  seed: number;
  /**
   * Actions replayed after the reset before the group's rollouts take over (a demonstration's
   * first steps: see grpo/demo-starts). They count against the episode's step limit.
   */
  prefix?: number[][];
  /** This group's step limit (default: the call's maxSteps, else the task's). */
  maxSteps?: number;
}

export interface SimRolloutOptions {
  pool: EnvPool;
  runner: PolicyRunner;
  state: PolicyState;
  groups: GroupRequest[];
  /** Rollouts per group, all from the group's seed (SimpleVLA-RL: 8). */
  groupSize: number;
  /** Sampling temperature (SimpleVLA-RL: 1.6); 0 = greedy (evaluation). */
  temperature: number;
  /**
   * The first N rollouts of each group decode greedily (their log-probs at `temperature`), so the
   * group's advantages also judge the deterministic policy that evaluation scores. Default 0.
   */
  greedyPerGroup?: number;
  /** Step limit per episode (default: the task's). */
  maxSteps?: number;
  reward?: RewardSource;
  keepFrames?: boolean;
  /**
   * Whether kept frames need every step's camera images (default true). False renders only the
   * observations the policy sees, several times faster (e.g. when recording state-only datasets).
   */
  frameImages?: boolean;
  random?: () => number;
  signal?: AbortSignal;
  /**
   * Called as each rollout's reward is known (recording, live metrics). A returned promise is not
   * waited for until every group has played, so writes overlap the next groups' simulation.
   */
  onRollout?: (played: PlayedRollout, group: GroupRequest) => void | Promise<void>;
}

export interface SimRolloutTimes {
  inferenceMs: number;
  envMs: number;
  /** Waiting for onRollout's promises (episode writes) after the last group played. */
  recordWaitMs: number;
}

interface Slot {
  env: number;
  group: number;
  /** Index of the rollout in its group. */
  k: number;
  /**
   * The rollout's own sampling stream, so its draws do not depend on which env or lane plays it;
   * null for a greedy rollout.
   */
  random: (() => number) | null;
  decisions: ChunkDecision[];
  frames: RolloutFrame[];
  steps: number;
  /** Demo steps played before the policy took over (the episode clock starts there). */
  prefixSteps: number;
  maxSteps: number;
  success: boolean;
  obs: { state: number[]; images: Record<string, CameraFrame> };
  instruction: string;
}

/** A queued rollout: its group, its index in the group, and the seed of its sampling stream. */
interface Job {
  group: number;
  k: number;
  seed: number;
}

let groupCounter = 0;

/**
 * Play `groups` x `groupSize` episodes on the pool's envs, as many at once as there are envs.
 * Each decision runs one batched forward pass over the live envs of a lane; its chunk is executed
 * open-loop, then the policy sees the new observation. An episode ends on success or the step
 * limit (finishStep = steps executed).
 *
 * Two things keep the env workers busy: an env whose episode ends starts the next queued rollout
 * at once (continuous batching), and the envs form two lanes that alternate, so one lane's
 * forward pass and token sampling on this thread overlap the other lane's physics in the workers.
 * Each rollout draws from its own stream (seeded from `random` in queue order), so results do not
 * depend on that scheduling.
 */
export async function playGroups(
  opts: SimRolloutOptions,
): Promise<{ groups: RolloutGroup[]; played: PlayedRollout[][]; times: SimRolloutTimes }> {
  const { pool, runner, state, groupSize, groups } = opts;
  if (groupSize < 1) throw new Error(`groupSize must be at least 1, got ${groupSize}`);
  const greedyPerGroup = opts.greedyPerGroup ?? 0;
  if (greedyPerGroup >= groupSize)
    throw new Error(
      `greedyPerGroup (${greedyPerGroup}) must leave sampled rollouts in a group of ${groupSize}: greedy rollouts from one state are all alike`,
    );
  if (groupSize > pool.size) {
    throw new Error(
      `A group of ${groupSize} rollouts needs at least ${groupSize} environments; the pool has ${pool.size}`,
    );
  }
  const reward = opts.reward ?? new SimSuccessReward();
  const random = opts.random ?? Math.random;
  const times: SimRolloutTimes = { inferenceMs: 0, envMs: 0, recordWaitMs: 0 };
  const writes: Promise<void>[] = [];
  const ids = groups.map((req) => {
    const from = req.prefix?.length ? `@${req.prefix.length}` : '';
    return `g${++groupCounter}-${req.task}-${req.seed}${from}`;
  });
  const played: PlayedRollout[][] = groups.map(() => []);
  const queue: Job[] = groups.flatMap((_, group) =>
    Array.from({ length: groupSize }, (_, k) => ({ group, k, seed: Math.floor(random() * 2 ** 32) })),
  );
  const busy = new Set<number>();
  const images = opts.keepFrames && opts.frameImages !== false ? 'all' : 'last';

  /**
   * The next rollout for one of `envs`: preferably one whose task a free env already holds
   * (switching rebuilds the env's MuJoCo model), else the first queued, on the first free env.
   */
  const take = (envs: readonly number[]) => {
    const free = envs.filter((e) => !busy.has(e));
    if (free.length === 0 || queue.length === 0) return undefined;
    for (const [i, job] of queue.entries()) {
      const env = free.find((e) => pool.envs[e]?.taskId === (groups[job.group] as GroupRequest).task);
      if (env !== undefined) return { ...(queue.splice(i, 1)[0] as Job), env };
    }
    return { ...(queue.shift() as Job), env: free[0] as number };
  };

  const finish = async (s: Slot) => {
    const req = groups[s.group] as GroupRequest;
    const r = await reward.reward(
      {
        id: `${ids[s.group]}-${s.k}`,
        task: req.task,
        instruction: s.instruction,
        simSuccess: s.success,
        finalImages: s.obs.images,
      },
      opts.signal,
    );
    const rollout: Rollout = {
      groupId: ids[s.group] as string,
      task: req.task,
      seed: req.seed,
      decisions: s.decisions,
      finishStep: s.steps,
      reward: r,
      policyVersion: state.version,
      ...(s.random ? {} : { greedy: true as const }),
    };
    const p: PlayedRollout = { rollout, success: s.success };
    if (opts.keepFrames) p.frames = s.frames;
    (played[s.group] as PlayedRollout[])[s.k] = p;
    const write = Promise.resolve(opts.onRollout?.(p, req));
    write.catch(() => {}); // reported by the Promise.all below, not as an unhandled rejection
    writes.push(write);
  };

  let failed = false;
  const lane = async (envs: readonly number[]) => {
    const live: Slot[] = [];
    for (;;) {
      opts.signal?.throwIfAborted();
      if (failed) return;
      const started: Slot[] = [];
      for (let job = take(envs); job; job = take(envs)) {
        const req = groups[job.group] as GroupRequest;
        busy.add(job.env);
        let meta = pool.envs[job.env] as EnvMeta;
        if (meta.taskId !== req.task) meta = await pool.setTask(job.env, req.task);
        started.push({
          env: job.env,
          group: job.group,
          k: job.k,
          random: job.k < greedyPerGroup ? null : rng(job.seed),
          decisions: [],
          frames: [],
          steps: 0,
          prefixSteps: req.prefix?.length ?? 0,
          maxSteps: Math.max(1, (req.maxSteps ?? opts.maxSteps ?? meta.maxSteps) - (req.prefix?.length ?? 0)),
          success: false,
          obs: { state: [], images: {} },
          instruction: meta.instruction,
        });
      }
      let t0 = performance.now();
      if (started.length > 0) {
        const first = await pool.reset(
          started.map((s) => (groups[s.group] as GroupRequest).seed),
          started.map((s) => s.env),
          started.map((s) => (groups[s.group] as GroupRequest).prefix),
        );
        started.forEach((s, i) => {
          s.obs = first[i] as Slot['obs'];
        });
        live.push(...started);
      }
      times.envMs += performance.now() - t0;
      if (live.length === 0) return;
      t0 = performance.now();
      const obs: PolicyObservation[] = live.map((s) => ({
        ...s.obs,
        instruction: s.instruction,
        step: s.prefixSteps + s.steps,
      }));
      const act = await runner.act(
        state,
        obs,
        opts.temperature,
        live.map((s) => s.random),
      );
      times.inferenceMs += performance.now() - t0;
      live.forEach((s, i) => {
        s.decisions.push(act.decisions[i] as ChunkDecision);
      });
      t0 = performance.now();
      const chunks = await pool.stepChunk(
        act.actions as number[][][],
        live.map((s) => s.env),
        live.map((s) => s.maxSteps - s.steps),
        images,
      );
      times.envMs += performance.now() - t0;
      const ended: Slot[] = [];
      live.forEach((s, i) => {
        const actions = act.actions[i] as number[][];
        (chunks[i] as ChunkStep[]).forEach((r, c) => {
          if (opts.keepFrames) {
            s.frames.push({
              state: s.obs.state,
              action: actions[c] as number[],
              images: s.obs.images,
              success: r.success,
            });
          }
          s.obs = r.obs;
          s.steps++;
          if (r.success) s.success = true;
        });
        if (s.success || s.steps >= s.maxSteps) ended.push(s);
      });
      for (const s of ended) {
        live.splice(live.indexOf(s), 1);
        busy.delete(s.env);
        await finish(s);
      }
    }
  };

  const all = Array.from({ length: pool.size }, (_, e) => e);
  const half = Math.ceil(pool.size / 2);
  // Three or four lanes measured no faster than two on 2 cores (bench/results/rl.md).
  const lanes = (pool.size > 1 ? [all.slice(0, half), all.slice(half)] : [all]).map((envs) =>
    lane(envs).catch((e: unknown) => {
      failed = true; // the other lane stops at its next decision; the pool is not left in use
      throw e;
    }),
  );
  const settled = await Promise.allSettled(lanes);
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  const t0 = performance.now();
  await Promise.all(writes);
  times.recordWaitMs = performance.now() - t0;
  const out = groups.map((req, g) => ({
    id: ids[g] as string,
    task: req.task,
    seed: req.seed,
    rollouts: (played[g] as PlayedRollout[]).map((p) => p.rollout),
  }));
  return { groups: out, played, times };
}
