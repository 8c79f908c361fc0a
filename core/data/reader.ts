/**
 * Read any LeRobotDataset v3.0 folder (this app's one-file-per-episode layout or LeRobot's
 * concatenated files): list and filter episodes, load their frames and decode their video.
 */
import { join } from 'node:path';
import type { CameraFrame } from '../hardware/robot';
import type { EpisodeRecord } from './episode-table';
import { DatasetError } from './errors';
import { decodeVideo } from './ffmpeg';
import {
  ACTION_KEY,
  DONE_KEY,
  fillTemplate,
  type InfoJson,
  RAW_ACTION_KEY,
  REWARD_KEY,
  STATE_KEY,
  VIDEO_PATH,
  videoKeys,
} from './format';
import { readEpisodes, readInfo, readStats, readTasks } from './meta';
import { readParquetRows } from './parquet';

export interface EpisodeFilter {
  task?: string;
  source?: string;
  /** true / false, or null for "not labelled". */
  success?: boolean | null;
  policyVersion?: string;
  tag?: string;
}

export interface EpisodeSummary {
  index: number;
  length: number;
  seconds: number;
  tasks: string[];
  success: boolean | null;
  source: string | null;
  policyVersion: string | null;
  note: string | null;
  tags: string[];
  recordedAt: string | null;
}

export interface EpisodeData {
  index: number;
  length: number;
  timestamps: number[];
  frameIndex: number[];
  taskIndex: number[];
  state: number[][];
  action: number[][];
  rawAction: number[][] | null;
  reward: number[] | null;
  done: boolean[] | null;
  /** Every column of the episode's rows, by name. */
  columns: Record<string, unknown[]>;
}

export class DatasetReader {
  private fileCache: { path: string; rows: Record<string, unknown>[] } | null = null;

  private constructor(
    readonly root: string,
    readonly info: InfoJson,
    readonly tasks: string[],
    readonly episodes: EpisodeRecord[],
    readonly stats: Record<string, Record<string, unknown>> | null,
  ) {}

  static async open(root: string): Promise<DatasetReader> {
    const info = readInfo(root);
    const [tasks, episodes] = await Promise.all([readTasks(root), readEpisodes(root, info)]);
    return new DatasetReader(root, info, tasks, episodes, readStats(root));
  }

  get fps(): number {
    return this.info.fps;
  }

  /** Video feature keys, e.g. `observation.images.front`. */
  get videoKeys(): string[] {
    return videoKeys(this.info);
  }

  listEpisodes(filter: EpisodeFilter = {}): EpisodeSummary[] {
    return this.episodes
      .filter((e) => {
        if (filter.task !== undefined && !e.tasks.includes(filter.task)) return false;
        if (filter.source !== undefined && (e.source ?? 'demo') !== filter.source) return false;
        if (filter.success !== undefined && e.success !== filter.success) return false;
        if (filter.policyVersion !== undefined && e.policy_version !== filter.policyVersion) return false;
        if (filter.tag !== undefined && !e.tags.includes(filter.tag)) return false;
        return true;
      })
      .map((e) => ({
        index: e.episode_index,
        length: e.length,
        seconds: e.length / this.fps,
        tasks: e.tasks,
        success: e.success,
        source: e.source,
        policyVersion: e.policy_version,
        note: e.note,
        tags: e.tags,
        recordedAt: e.recorded_at,
      }));
  }

  episode(index: number): EpisodeRecord {
    const e = this.episodes.find((x) => x.episode_index === index);
    if (!e) {
      throw new DatasetError(
        `Episode ${index} is not in ${this.root} (it has ${this.episodes.length} episodes).`,
        'no_episode',
      );
    }
    return e;
  }

  dataFile(index: number): string {
    const e = this.episode(index);
    return join(
      this.root,
      fillTemplate(this.info.data_path, { chunk_index: e.data.chunk, file_index: e.data.file }),
    );
  }

  videoFile(index: number, key: string): string {
    const e = this.episode(index);
    const full = this.resolveVideoKey(key);
    const v = e.videos[full];
    if (!v) throw new DatasetError(`Episode ${index} has no video ${full}.`, 'no_video');
    return join(
      this.root,
      fillTemplate(this.info.video_path ?? VIDEO_PATH, {
        chunk_index: v.chunk,
        file_index: v.file,
        video_key: full,
      }),
    );
  }

  async loadEpisode(index: number): Promise<EpisodeData> {
    const e = this.episode(index);
    const path = this.dataFile(index);
    if (this.fileCache?.path !== path) this.fileCache = { path, rows: await readParquetRows(path) };
    const rows = this.fileCache.rows
      .filter((r) => Number(r.episode_index) === index)
      .sort((a, b) => Number(a.frame_index) - Number(b.frame_index));
    if (rows.length !== e.length) {
      throw new DatasetError(
        `${path} holds ${rows.length} rows of episode ${index} but the episodes table says ${e.length}.`,
        'inconsistent',
        'Run validation on this dataset; the episode may need to be deleted.',
      );
    }
    const columns: Record<string, unknown[]> = {};
    for (const k of Object.keys(rows[0] ?? {})) columns[k] = rows.map((r) => r[k]);
    const has = (k: string): boolean => k in columns;
    return {
      index,
      length: rows.length,
      timestamps: rows.map((r) => Number(r.timestamp)),
      frameIndex: rows.map((r) => Number(r.frame_index)),
      taskIndex: rows.map((r) => Number(r.task_index)),
      state: rows.map((r) => r[STATE_KEY] as number[]),
      action: rows.map((r) => r[ACTION_KEY] as number[]),
      rawAction: has(RAW_ACTION_KEY) ? rows.map((r) => r[RAW_ACTION_KEY] as number[]) : null,
      reward: has(REWARD_KEY) ? rows.map((r) => Number(r[REWARD_KEY])) : null,
      done: has(DONE_KEY) ? rows.map((r) => Boolean(r[DONE_KEY])) : null,
      columns,
    };
  }

  /**
   * Decoded rgb24 frames of one camera of an episode; `from`/`to` are seconds from the
   * episode start (default: the whole episode).
   */
  async loadVideoFrames(
    index: number,
    camera: string,
    range: { from?: number; to?: number } = {},
  ): Promise<CameraFrame[]> {
    const key = this.resolveVideoKey(camera);
    const e = this.episode(index);
    const v = e.videos[key];
    if (!v) throw new DatasetError(`Episode ${index} has no video ${key}.`, 'no_video');
    const feature = this.info.features[key];
    const [height, width] = (feature?.shape ?? []) as number[];
    if (!width || !height)
      throw new DatasetError(`meta/info.json lacks the shape of ${key}.`, 'corrupt_file');
    const from = v.from + (range.from ?? 0);
    const to = Math.min(v.to, v.from + (range.to ?? v.to - v.from));
    return decodeVideo(this.videoFile(index, key), { width, height, fps: this.fps, from, to });
  }

  private resolveVideoKey(camera: string): string {
    const keys = this.videoKeys;
    if (keys.includes(camera)) return camera;
    const full = `observation.images.${camera}`;
    if (keys.includes(full)) return full;
    throw new DatasetError(
      `No camera "${camera}" in this dataset (cameras: ${keys.join(', ') || 'none'}).`,
      'no_video',
    );
  }
}

export const openDataset = (root: string): Promise<DatasetReader> => DatasetReader.open(root);
