import { type DatasetReader, openDataset } from '../data';
import { analyzeEpisodes, type PushcutAnalysis, type SourcedEpisode } from '../rl/pushcut';

/** An episode's id in a pushcut report: `<dataset folder name>#<episode index>`. */
export const episodeId = (dataset: string, index: number): string => `${dataset}#${index}`;

export function parseEpisodeId(id: string): { dataset: string; index: number } {
  const at = id.lastIndexOf('#');
  return { dataset: id.slice(0, at), index: Number(id.slice(at + 1)) };
}

/** A dataset's demos and rollouts as tracker episodes (joints, commanded actions, RL step, outcome). */
export async function episodesOf(
  name: string,
  reader: DatasetReader,
  onlyDemos: boolean,
): Promise<(SourcedEpisode & { task: string })[]> {
  const out: (SourcedEpisode & { task: string })[] = [];
  for (const e of reader.listEpisodes()) {
    const source =
      e.source === 'rollout' ? 'rollout' : e.source === 'demo' || e.source === null ? 'demo' : null;
    if (!source || (onlyDemos && source !== 'demo')) continue;
    // Demos teach what success looks like; a demo labelled a failure is not a reference.
    if (source === 'demo' && e.success === false) continue;
    const data = await reader.loadEpisode(e.index);
    const version = Number.parseInt(e.policyVersion ?? '', 10);
    out.push({
      id: episodeId(name, e.index),
      task: e.tasks[0] ?? '',
      source,
      rlStep: Number.isFinite(version) ? version : 0,
      success: e.success === true,
      frames: data.state.map((state, t) => ({ state, action: data.action[t] ?? state })),
    });
  }
  return out;
}

/**
 * Pushcut analysis of recorded datasets from joint and gripper data (what every robot records):
 * demonstrations are the reference, rollouts are checked against them. Demos may live in their own
 * dataset (`demos`) or beside the rollouts.
 */
export async function analyzeDatasets(sets: {
  rollouts: { name: string; root: string };
  demos?: { name: string; root: string };
}): Promise<PushcutAnalysis> {
  const rolloutReader = await openDataset(sets.rollouts.root);
  const episodes = await episodesOf(sets.rollouts.name, rolloutReader, false);
  if (sets.demos && sets.demos.root !== sets.rollouts.root) {
    episodes.push(...(await episodesOf(sets.demos.name, await openDataset(sets.demos.root), true)));
  }
  return analyzeEpisodes(episodes);
}
