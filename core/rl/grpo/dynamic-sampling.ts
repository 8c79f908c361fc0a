import type { RolloutGroup } from './types';

/** A group teaches something only when its rollouts disagree (verl's `filter_accuracy`). */
export function groupIsInformative(rewards: readonly number[]): boolean {
  return rewards.length >= 2 && rewards.some((r) => r !== rewards[0]);
}

export interface DynamicSamplingOptions {
  /** Groups wanted in the batch (SimpleVLA-RL: 64; sim default here: 16). */
  groups: number;
  /**
   * Upper bound on sampled groups (kept + dropped) before giving up, so an all-fail or
   * all-success policy cannot sample forever. Default: 4 x groups.
   */
  maxGroups?: number;
  signal?: AbortSignal;
}

export interface DynamicSamplingStats {
  kept: number;
  dropped: number;
  /** Dropped because every rollout failed / every rollout succeeded. */
  allFail: number;
  allSuccess: number;
  /** Success over every sampled rollout, kept or dropped, per task (greedy rollouts excluded). */
  successByTask: Record<string, { success: number; total: number }>;
  /** The same over the greedy rollouts inside groups (SimRolloutOptions.greedyPerGroup), if any. */
  greedySuccessByTask: Record<string, { success: number; total: number }>;
}

export interface DynamicBatch {
  groups: RolloutGroup[];
  /** Every sampled group, kept or not (every rollout is recorded). */
  sampled: RolloutGroup[];
  stats: DynamicSamplingStats;
  /** Set when the bound was hit before the batch filled; says why and what to do. */
  shortfall?: string;
}

/**
 * Why a batch could not be filled, for the user. All-fail: the policy never succeeds, so there is
 * no signal; all-success: nothing left to learn on these tasks.
 */
export function shortfallMessage(stats: DynamicSamplingStats, wanted: number): string {
  const sampled = stats.kept + stats.dropped;
  const head = `Dynamic sampling kept ${stats.kept} of the ${wanted} groups wanted after ${sampled} groups sampled`;
  if (stats.kept === 0 && stats.allFail === sampled)
    return `${head}: every rollout failed, so there is no reward signal. Train the SFT policy longer (or record more demonstrations), raise the step limit, or start from an easier task.`;
  if (stats.kept === 0 && stats.allSuccess === sampled)
    return `${head}: every rollout succeeded, so there is nothing left to learn on these tasks. Evaluate the policy, or add harder tasks.`;
  return `${head} (${stats.allFail} all-fail, ${stats.allSuccess} all-success). Raise maxGroups, or the rollout temperature for more varied outcomes.`;
}

/**
 * Sample groups until `groups` informative ones are kept, dropping all-equal-reward groups.
 * `sample(k)` returns k freshly played groups (the caller batches them across envs).
 */
export async function collectDynamicBatch(
  sample: (count: number) => Promise<RolloutGroup[]>,
  opts: DynamicSamplingOptions,
): Promise<DynamicBatch> {
  if (!(opts.groups >= 1)) throw new Error(`Dynamic sampling needs groups >= 1, got ${opts.groups}`);
  const maxGroups = opts.maxGroups ?? 4 * opts.groups;
  const stats: DynamicSamplingStats = {
    kept: 0,
    dropped: 0,
    allFail: 0,
    allSuccess: 0,
    successByTask: {},
    greedySuccessByTask: {},
  };
  const kept: RolloutGroup[] = [];
  const sampled: RolloutGroup[] = [];
  while (kept.length < opts.groups && stats.kept + stats.dropped < maxGroups) {
    opts.signal?.throwIfAborted();
    const want = Math.min(opts.groups - kept.length, maxGroups - stats.kept - stats.dropped);
    const got = await sample(want);
    if (got.length === 0) throw new Error('Rollout sampler returned no groups; check the environments');
    for (const g of got) {
      sampled.push(g);
      const rewards = g.rollouts.map((r) => r.reward);
      for (const r of g.rollouts) {
        const byTask = r.greedy ? stats.greedySuccessByTask : stats.successByTask;
        const t = byTask[g.task] ?? { success: 0, total: 0 };
        byTask[g.task] = t;
        t.success += r.reward;
        t.total++;
      }
      if (groupIsInformative(rewards) && kept.length < opts.groups) {
        kept.push(g);
        stats.kept++;
      } else {
        stats.dropped++;
        if (rewards.every((r) => r === 1)) stats.allSuccess++;
        else if (rewards.every((r) => r === 0)) stats.allFail++;
      }
    }
  }
  const batch: DynamicBatch = { groups: kept, sampled, stats };
  if (kept.length < opts.groups) batch.shortfall = shortfallMessage(stats, opts.groups);
  return batch;
}
