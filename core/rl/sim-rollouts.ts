import type { CameraFrame } from '../hardware/robot';
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
  decisions: ChunkDecision[];
  frames: RolloutFrame[];
  steps: number;
  maxSteps: number;
  done: boolean;
  success: boolean;
  obs: { state: number[]; images: Record<string, CameraFrame> };
  instruction: string;
}

let groupCounter = 0;

/**
 * Play `groups` x `groupSize` episodes on the pool's envs, as many at once as there are envs.
 * Each decision runs one batched forward pass over every live env; its chunk is executed
 * open-loop, then the policy sees the new observation. An episode ends on success or the step
 * limit (finishStep = steps executed).
 */
export async function playGroups(
  opts: SimRolloutOptions,
): Promise<{ groups: RolloutGroup[]; played: PlayedRollout[][]; times: SimRolloutTimes }> {
  const { pool, runner, state, groupSize } = opts;
  if (groupSize < 1) throw new Error(`groupSize must be at least 1, got ${groupSize}`);
  if (groupSize > pool.size) {
    throw new Error(
      `A group of ${groupSize} rollouts needs at least ${groupSize} environments; the pool has ${pool.size}`,
    );
  }
  const reward = opts.reward ?? new SimSuccessReward();
  const random = opts.random ?? Math.random;
  const times: SimRolloutTimes = { inferenceMs: 0, envMs: 0, recordWaitMs: 0 };
  const writes: Promise<void>[] = [];
  const perWave = Math.floor(pool.size / groupSize);
  const out: RolloutGroup[] = [];
  const played: PlayedRollout[][] = [];
  for (let start = 0; start < opts.groups.length; start += perWave) {
    const wave = opts.groups.slice(start, start + perWave);
    const slots: Slot[] = [];
    const blocks = assignBlocks(pool, wave, groupSize, perWave);
    for (let g = 0; g < wave.length; g++) {
      for (let k = 0; k < groupSize; k++) {
        const env = (blocks[g] as number) * groupSize + k;
        const req = wave[g] as GroupRequest;
        let meta = pool.envs[env] as EnvMeta;
        if (meta.taskId !== req.task) meta = await pool.setTask(env, req.task);
        slots.push({
          env,
          group: g,
          decisions: [],
          frames: [],
          steps: 0,
          maxSteps: Math.max(1, (req.maxSteps ?? opts.maxSteps ?? meta.maxSteps) - (req.prefix?.length ?? 0)),
          done: false,
          success: false,
          obs: { state: [], images: {} },
          instruction: meta.instruction,
        });
      }
    }
    let t0 = performance.now();
    const first = await pool.reset(
      slots.map((s) => (wave[s.group] as GroupRequest).seed),
      slots.map((s) => s.env),
      slots.map((s) => (wave[s.group] as GroupRequest).prefix),
    );
    times.envMs += performance.now() - t0;
    slots.forEach((s, i) => {
      s.obs = first[i] as Slot['obs'];
    });
    for (;;) {
      opts.signal?.throwIfAborted();
      const live = slots.filter((s) => !s.done);
      if (live.length === 0) break;
      t0 = performance.now();
      const obs: PolicyObservation[] = live.map((s) => ({ ...s.obs, instruction: s.instruction }));
      const act = await runner.act(state, obs, opts.temperature, random);
      times.inferenceMs += performance.now() - t0;
      live.forEach((s, i) => {
        s.decisions.push(act.decisions[i] as ChunkDecision);
      });
      t0 = performance.now();
      const images = opts.keepFrames && opts.frameImages !== false ? 'all' : 'last';
      const chunks = await pool.stepChunk(
        act.actions as number[][][],
        live.map((s) => s.env),
        live.map((s) => s.maxSteps - s.steps),
        images,
      );
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
        if (s.success || s.steps >= s.maxSteps) s.done = true;
      });
      times.envMs += performance.now() - t0;
    }
    for (let g = 0; g < wave.length; g++) {
      const req = wave[g] as GroupRequest;
      const from = req.prefix?.length ? `@${req.prefix.length}` : '';
      const id = `g${++groupCounter}-${req.task}-${req.seed}${from}`;
      const groupPlayed: PlayedRollout[] = [];
      for (const s of slots.filter((x) => x.group === g)) {
        const r = await reward.reward(
          {
            id: `${id}-${s.env}`,
            task: req.task,
            instruction: s.instruction,
            simSuccess: s.success,
            finalImages: s.obs.images,
          },
          opts.signal,
        );
        const rollout: Rollout = {
          groupId: id,
          task: req.task,
          seed: req.seed,
          decisions: s.decisions,
          finishStep: s.steps,
          reward: r,
          policyVersion: state.version,
        };
        const p: PlayedRollout = { rollout, success: s.success };
        if (opts.keepFrames) p.frames = s.frames;
        groupPlayed.push(p);
        const write = Promise.resolve(opts.onRollout?.(p, req));
        write.catch(() => {}); // reported by the Promise.all below, not as an unhandled rejection
        writes.push(write);
      }
      out.push({ id, task: req.task, seed: req.seed, rollouts: groupPlayed.map((p) => p.rollout) });
      played.push(groupPlayed);
    }
  }
  const t0 = performance.now();
  await Promise.all(writes);
  times.recordWaitMs = performance.now() - t0;
  return { groups: out, played, times };
}

/**
 * Give each group of a wave a block of `groupSize` envs, preferring a block already loaded with
 * the group's task (switching an env's task rebuilds its MuJoCo model).
 */
function assignBlocks(
  pool: EnvPool,
  wave: readonly GroupRequest[],
  groupSize: number,
  blocks: number,
): number[] {
  const free = new Set(Array.from({ length: blocks }, (_, b) => b));
  const holds = (b: number, task: string) =>
    Array.from({ length: groupSize }, (_, k) => pool.envs[b * groupSize + k]?.taskId).every(
      (t) => t === task,
    );
  const out: (number | undefined)[] = wave.map((req) => {
    const b = [...free].find((x) => holds(x, req.task));
    if (b !== undefined) free.delete(b);
    return b;
  });
  return out.map((b) => {
    if (b !== undefined) return b;
    const next = free.values().next().value as number;
    free.delete(next);
    return next;
  });
}
