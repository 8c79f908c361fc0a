/** The episodes table (meta/episodes/chunk-XXX/file-XXX.parquet): one row per episode. */
import type { Column } from './parquet';
import { type FeatureStats, flattenStat, STAT_NAMES, type StatName, shapeStat } from './stats';

export interface FileRef {
  chunk: number;
  file: number;
}

export interface VideoRef extends FileRef {
  from: number;
  to: number;
}

export interface EpisodeRecord {
  episode_index: number;
  tasks: string[];
  length: number;
  data: FileRef;
  dataset_from_index: number;
  dataset_to_index: number;
  videos: Record<string, VideoRef>;
  /** Where this row lives in meta/episodes (this app writes 1000 rows per file: file = index / 1000). */
  meta: FileRef;
  stats: Record<string, FeatureStats>;
  /** App columns: null when not labelled. */
  success: boolean | null;
  source: string | null;
  policy_version: string | null;
  note: string | null;
  tags: string[];
  recorded_at: string | null;
}

const num = (v: unknown): number => Number(v);

export function episodesToColumns(records: EpisodeRecord[], imageKeys: Set<string>): Column[] {
  const first = records[0];
  const col = (name: string, kind: Column['kind'], f: (r: EpisodeRecord) => unknown): Column => ({
    name,
    kind,
    data: records.map(f),
  });
  const cols: Column[] = [
    col('episode_index', 'int64', (r) => r.episode_index),
    col('tasks', 'string[]', (r) => r.tasks),
    col('length', 'int64', (r) => r.length),
    col('data/chunk_index', 'int64', (r) => r.data.chunk),
    col('data/file_index', 'int64', (r) => r.data.file),
    col('dataset_from_index', 'int64', (r) => r.dataset_from_index),
    col('dataset_to_index', 'int64', (r) => r.dataset_to_index),
  ];
  const videoKeys = first ? Object.keys(first.videos) : [];
  for (const k of videoKeys) {
    cols.push(col(`videos/${k}/chunk_index`, 'int64', (r) => r.videos[k]?.chunk ?? null));
    cols.push(col(`videos/${k}/file_index`, 'int64', (r) => r.videos[k]?.file ?? null));
    cols.push(col(`videos/${k}/from_timestamp`, 'float64', (r) => r.videos[k]?.from ?? null));
    cols.push(col(`videos/${k}/to_timestamp`, 'float64', (r) => r.videos[k]?.to ?? null));
  }
  cols.push(col('meta/episodes/chunk_index', 'int64', (r) => r.meta.chunk));
  cols.push(col('meta/episodes/file_index', 'int64', (r) => r.meta.file));
  const statFeatures = first ? Object.keys(first.stats) : [];
  for (const feat of statFeatures) {
    const isImage = imageKeys.has(feat);
    for (const stat of STAT_NAMES) {
      const kind: Column['kind'] = stat === 'count' ? 'int64[]' : isImage ? 'float64[][][]' : 'float64[]';
      cols.push(
        col(`stats/${feat}/${stat}`, kind, (r) => {
          const s = r.stats[feat];
          return s ? shapeStat(s[stat], isImage, stat) : null;
        }),
      );
    }
  }
  cols.push(col('success', 'bool', (r) => r.success));
  cols.push(col('source', 'string', (r) => r.source));
  cols.push(col('policy_version', 'string', (r) => r.policy_version));
  cols.push(col('note', 'string', (r) => r.note));
  cols.push(col('tags', 'string[]', (r) => r.tags));
  cols.push(col('recorded_at', 'string', (r) => r.recorded_at));
  return cols;
}

/** Parse a row of any v3.0 episodes table (this app's or LeRobot's). */
export function rowToEpisode(row: Record<string, unknown>, videoKeys: string[]): EpisodeRecord {
  const videos: Record<string, VideoRef> = {};
  for (const k of videoKeys) {
    if (row[`videos/${k}/chunk_index`] == null) continue;
    videos[k] = {
      chunk: num(row[`videos/${k}/chunk_index`]),
      file: num(row[`videos/${k}/file_index`]),
      from: num(row[`videos/${k}/from_timestamp`]),
      to: num(row[`videos/${k}/to_timestamp`]),
    };
  }
  const stats: Record<string, FeatureStats> = {};
  for (const key of Object.keys(row)) {
    const m = /^stats\/(.+)\/([a-z0-9]+)$/.exec(key);
    if (!m || row[key] == null) continue;
    const [, feat, stat] = m as unknown as [string, string, StatName];
    stats[feat] ??= {} as FeatureStats;
    (stats[feat] as FeatureStats)[stat] = flattenStat(row[key]);
  }
  const str = (v: unknown): string | null => (v == null ? null : String(v));
  return {
    episode_index: num(row.episode_index),
    tasks: Array.isArray(row.tasks) ? row.tasks.map(String) : row.tasks == null ? [] : [String(row.tasks)],
    length: num(row.length),
    data: { chunk: num(row['data/chunk_index']), file: num(row['data/file_index']) },
    dataset_from_index: num(row.dataset_from_index),
    dataset_to_index: num(row.dataset_to_index),
    videos,
    meta: {
      chunk: num(row['meta/episodes/chunk_index'] ?? 0),
      file: num(row['meta/episodes/file_index'] ?? 0),
    },
    stats,
    success: row.success == null ? null : Boolean(row.success),
    source: str(row.source),
    policy_version: str(row.policy_version),
    note: str(row.note),
    tags: Array.isArray(row.tags) ? row.tags.map(String) : [],
    recorded_at: str(row.recorded_at),
  };
}
