/** One episode's rows in data/chunk-XXX/file-XXX.parquet, and their per-episode stats. */
import { join } from 'node:path';
import type { EpisodeRecord } from './episode-table';
import { ACTION_KEY, DONE_KEY, RAW_ACTION_KEY, REWARD_KEY, STATE_KEY } from './format';
import { atomicWriteFile } from './fsutil';
import { encodeParquet, readParquetRows } from './parquet';
import { type FeatureStats, numericStats } from './stats';

export interface EpisodeFrames {
  state: number[][];
  action: number[][];
  rawAction: number[][];
  reward: number[];
  done: boolean[];
}

export interface EpisodePlacement {
  episodeIndex: number;
  /** Global `index` of the episode's first frame. */
  fromIndex: number;
  taskIndex: number;
  fps: number;
}

export function encodeEpisodeData(f: EpisodeFrames, p: EpisodePlacement): Uint8Array {
  const n = f.state.length;
  const range = (g: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => g(i));
  const dim = (rows: number[][]): number | undefined => rows[0]?.length;
  return encodeParquet([
    { name: STATE_KEY, kind: 'float32[]', data: f.state, length: dim(f.state) },
    { name: ACTION_KEY, kind: 'float32[]', data: f.action, length: dim(f.action) },
    { name: RAW_ACTION_KEY, kind: 'float32[]', data: f.rawAction, length: dim(f.rawAction) },
    { name: REWARD_KEY, kind: 'float32', data: f.reward },
    { name: DONE_KEY, kind: 'bool', data: f.done },
    { name: 'timestamp', kind: 'float32', data: range((i) => Math.fround(i / p.fps)) },
    { name: 'frame_index', kind: 'int64', data: range((i) => i) },
    { name: 'episode_index', kind: 'int64', data: range(() => p.episodeIndex) },
    { name: 'index', kind: 'int64', data: range((i) => p.fromIndex + i) },
    { name: 'task_index', kind: 'int64', data: range(() => p.taskIndex) },
  ]);
}

/** Stats of every non-video feature, exactly as stored (float32-rounded). */
export function episodeNumericStats(f: EpisodeFrames, p: EpisodePlacement): Record<string, FeatureStats> {
  const n = f.state.length;
  const f32 = (rows: number[][]): Float32Array[] => rows.map((r) => Float32Array.from(r));
  const scalar = (g: (i: number) => number): number[][] => Array.from({ length: n }, (_, i) => [g(i)]);
  return {
    [STATE_KEY]: numericStats(f32(f.state)),
    [ACTION_KEY]: numericStats(f32(f.action)),
    [RAW_ACTION_KEY]: numericStats(f32(f.rawAction)),
    [REWARD_KEY]: numericStats(scalar((i) => Math.fround(f.reward[i] ?? 0))),
    [DONE_KEY]: numericStats(scalar((i) => (f.done[i] ? 1 : 0))),
    timestamp: numericStats(scalar((i) => Math.fround(i / p.fps))),
    frame_index: numericStats(scalar((i) => i)),
    episode_index: numericStats(scalar(() => p.episodeIndex)),
    index: numericStats(scalar((i) => p.fromIndex + i)),
    task_index: numericStats(scalar(() => p.taskIndex)),
  };
}

export function framesFromRows(rows: Record<string, unknown>[]): EpisodeFrames {
  return {
    state: rows.map((r) => r[STATE_KEY] as number[]),
    action: rows.map((r) => r[ACTION_KEY] as number[]),
    rawAction: rows.map((r) => (r[RAW_ACTION_KEY] ?? r[ACTION_KEY]) as number[]),
    reward: rows.map((r) => Number(r[REWARD_KEY] ?? 0)),
    done: rows.map((r) => Boolean(r[DONE_KEY])),
  };
}

/** After a delete: rewrite an episode's file with its new episode_index/index, and its stats. */
export async function rewriteEpisodeIndices(
  root: string,
  relPath: string,
  ep: EpisodeRecord,
  fps: number,
): Promise<void> {
  const path = join(root, relPath);
  const rows = await readParquetRows(path);
  const taskIndex = Number(rows[0]?.task_index ?? 0);
  const frames = framesFromRows(rows);
  const placement = { episodeIndex: ep.episode_index, fromIndex: ep.dataset_from_index, taskIndex, fps };
  atomicWriteFile(path, encodeEpisodeData(frames, placement));
  const fresh = episodeNumericStats(frames, placement);
  ep.stats.episode_index = fresh.episode_index as FeatureStats;
  ep.stats.index = fresh.index as FeatureStats;
}
