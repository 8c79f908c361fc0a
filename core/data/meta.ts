/** Loading meta/ files with messages that name the file and say what to do. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EpisodeRecord, rowToEpisode } from './episode-table';
import { DatasetError } from './errors';
import { CODEBASE_VERSION, INFO_PATH, type InfoJson, STATS_PATH, TASKS_PATH, videoKeys } from './format';
import { readParquetRows } from './parquet';

export function readInfo(root: string): InfoJson {
  const path = join(root, INFO_PATH);
  if (!existsSync(path)) {
    if (!existsSync(root)) {
      throw new DatasetError(`Dataset folder ${root} does not exist.`, 'not_found', 'Check the path.');
    }
    throw new DatasetError(
      `${path} is missing, so ${root} is not a LeRobot dataset (or its meta folder was lost).`,
      'missing_file',
      'Pick the dataset root folder (the one that contains meta/, data/ and videos/).',
    );
  }
  let info: InfoJson;
  try {
    info = JSON.parse(readFileSync(path, 'utf8')) as InfoJson;
  } catch (err) {
    throw new DatasetError(
      `${path} is corrupt (${(err as Error).message}).`,
      'corrupt_file',
      'Restore meta/info.json from a backup or from the dataset on the Hugging Face hub.',
    );
  }
  const version = String(info.codebase_version ?? 'unknown');
  if (version.startsWith('v2') || version.startsWith('v1')) {
    throw new DatasetError(
      `${root} is a LeRobotDataset ${version} dataset; this app reads v3.0.`,
      'old_version',
      `Convert it with LeRobot: \`python -m lerobot.datasets.v30.convert_dataset_v21_to_v30 --repo-id=<repo_id>\` (script convert_dataset_v21_to_v30.py), then open the converted folder.`,
    );
  }
  if (version !== CODEBASE_VERSION) {
    throw new DatasetError(
      `${path} says codebase_version ${version}; this app reads ${CODEBASE_VERSION}.`,
      'unknown_version',
      'Open a LeRobotDataset v3.0 dataset, or update the app.',
    );
  }
  if (typeof info.fps !== 'number' || typeof info.features !== 'object' || !info.data_path) {
    throw new DatasetError(
      `${path} lacks fps, features or data_path.`,
      'corrupt_file',
      'Restore meta/info.json from a backup.',
    );
  }
  return info;
}

export async function readTasks(root: string): Promise<string[]> {
  const path = join(root, TASKS_PATH);
  if (!existsSync(path)) return [];
  const rows = await readParquetRows(path);
  const tasks: string[] = [];
  for (const r of rows) {
    const task = r.task ?? r.__index_level_0__;
    tasks[Number(r.task_index)] = String(task);
  }
  return tasks;
}

/** Every meta/episodes/chunk-*\/file-*.parquet, in order. */
export function episodeMetaFiles(root: string): string[] {
  const dir = join(root, 'meta', 'episodes');
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const chunk of readdirSync(dir)
    .filter((d) => /^chunk-\d+$/.test(d))
    .sort()) {
    for (const f of readdirSync(join(dir, chunk))
      .filter((n) => /^file-\d+\.parquet$/.test(n))
      .sort()) {
      out.push(join(dir, chunk, f));
    }
  }
  return out;
}

export async function readEpisodes(root: string, info: InfoJson): Promise<EpisodeRecord[]> {
  const keys = videoKeys(info);
  const records: EpisodeRecord[] = [];
  for (const f of episodeMetaFiles(root)) {
    for (const row of await readParquetRows(f)) records.push(rowToEpisode(row, keys));
  }
  records.sort((a, b) => a.episode_index - b.episode_index);
  if (records.length === 0 && info.total_episodes > 0) {
    throw new DatasetError(
      `${join(root, 'meta/episodes')} has no episode files but meta/info.json lists ${info.total_episodes} episodes.`,
      'missing_file',
      'Restore the meta/episodes folder from a backup.',
    );
  }
  return records;
}

export function readStats(root: string): Record<string, Record<string, unknown>> | null {
  const path = join(root, STATS_PATH);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
  } catch (err) {
    throw new DatasetError(
      `${path} is corrupt (${(err as Error).message}).`,
      'corrupt_file',
      'Delete meta/stats.json and reopen the dataset for recording to rebuild it.',
    );
  }
}
