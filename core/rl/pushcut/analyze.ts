/** Offline pushcut analysis of any dataset: demonstrations are the reference, rollouts are scanned in RL-step order. */
import { PushcutError } from './errors';
import { type PushcutReport, PushcutTracker, type TrackerConfig, type TrackerEvent } from './tracker';
import type { PushcutEpisode } from './types';

export interface SourcedEpisode extends PushcutEpisode {
  source: 'demo' | 'rollout';
}

export interface PushcutAnalysis extends PushcutReport {
  /** Tracker events in the order they would have fired live. */
  events: TrackerEvent[];
}

export function analyzeEpisodes(
  episodes: readonly SourcedEpisode[],
  config: Partial<TrackerConfig> = {},
): PushcutAnalysis {
  const demos = episodes.filter((e) => e.source === 'demo');
  if (demos.length === 0) {
    throw new PushcutError(
      'The dataset has no demonstrations (episodes with source "demo")',
      'no_demos',
      'add teleoperated demonstrations of the task, or mark which episodes are demonstrations',
    );
  }
  const tracker = new PushcutTracker({ demos, config });
  const rollouts = episodes
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.source === 'rollout')
    .sort((a, b) => (a.e.rlStep ?? 0) - (b.e.rlStep ?? 0) || a.i - b.i);
  const events: TrackerEvent[] = [];
  for (const { e } of rollouts) events.push(...tracker.observe(e));
  const report = tracker.report();
  if (rollouts.length === 0) {
    report.message =
      'The dataset has demonstrations but no rollouts: run RL (or load rollout episodes) to look for pushcuts.';
  }
  return { ...report, events };
}
