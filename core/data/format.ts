/**
 * LeRobotDataset v3.0 on-disk format: info.json types, feature specs and path templates.
 * See /work/shared/reference/lerobot-dataset-v3.md.
 */

export const CODEBASE_VERSION = 'v3.0';
export const CHUNKS_SIZE = 1000;
export const DATA_PATH = 'data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet';
export const VIDEO_PATH = 'videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4';
/** The episodes table, split into files of this many rows so appending rewrites only the last one. */
export const EPISODES_PER_META_FILE = 1000;
export const EPISODES_META_PATH = 'meta/episodes/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet';
export const INFO_PATH = 'meta/info.json';
export const STATS_PATH = 'meta/stats.json';
export const TASKS_PATH = 'meta/tasks.parquet';

/** Column that keeps the command as the operator/policy gave it, before the safety layer. */
export const RAW_ACTION_KEY = 'complementary_info.raw_action';
export const STATE_KEY = 'observation.state';
export const ACTION_KEY = 'action';
export const REWARD_KEY = 'next.reward';
export const DONE_KEY = 'next.done';
export const imageKey = (camera: string): string => `observation.images.${camera}`;

export type Dtype = 'float32' | 'float64' | 'int64' | 'bool' | 'string' | 'video' | 'image';

export interface VideoInfo {
  'video.height': number;
  'video.width': number;
  'video.codec': string;
  'video.pix_fmt': string;
  'video.is_depth_map': boolean;
  'video.fps': number;
  'video.channels': number;
  'video.g'?: number;
  'video.crf'?: number;
  'video.preset'?: string;
  has_audio: boolean;
}

export interface FeatureSpec {
  dtype: Dtype;
  shape: number[];
  names: string[] | null | Record<string, string[]>;
  info?: VideoInfo;
  fps?: number;
}

export interface InfoJson {
  codebase_version: string;
  robot_type: string | null;
  total_episodes: number;
  total_frames: number;
  total_tasks: number;
  chunks_size: number;
  data_files_size_in_mb: number;
  video_files_size_in_mb: number;
  fps: number;
  splits: Record<string, string>;
  data_path: string;
  video_path: string | null;
  features: Record<string, FeatureSpec>;
  [extra: string]: unknown;
}

export interface VideoSettings {
  codec: 'libx264';
  pixFmt: 'yuv420p';
  /** GOP size; small keeps random access cheap for training (LeRobot uses 2). */
  g: number;
  crf: number;
  preset: string;
}

export const DEFAULT_VIDEO: VideoSettings = {
  codec: 'libx264',
  pixFmt: 'yuv420p',
  g: 2,
  crf: 23,
  preset: 'veryfast',
};

export interface DatasetSpec {
  robotType: string;
  fps: number;
  stateNames: string[];
  actionNames: string[];
  cameras: { name: string; width: number; height: number }[];
  video: VideoSettings;
}

export function fillTemplate(
  template: string,
  vars: { chunk_index: number; file_index: number; video_key?: string },
): string {
  return template
    .replace(/\{chunk_index(?::0?(\d+)d)?\}/g, (_m, w: string | undefined) =>
      String(vars.chunk_index).padStart(Number(w ?? 0), '0'),
    )
    .replace(/\{file_index(?::0?(\d+)d)?\}/g, (_m, w: string | undefined) =>
      String(vars.file_index).padStart(Number(w ?? 0), '0'),
    )
    .replace(/\{video_key\}/g, vars.video_key ?? '');
}

export function buildFeatures(spec: DatasetSpec): Record<string, FeatureSpec> {
  const f: Record<string, FeatureSpec> = {};
  for (const cam of spec.cameras) {
    f[imageKey(cam.name)] = {
      dtype: 'video',
      shape: [cam.height, cam.width, 3],
      names: ['height', 'width', 'channels'],
      info: {
        'video.height': cam.height,
        'video.width': cam.width,
        'video.codec': 'h264',
        'video.pix_fmt': spec.video.pixFmt,
        'video.is_depth_map': false,
        'video.fps': spec.fps,
        'video.channels': 3,
        'video.g': spec.video.g,
        'video.crf': spec.video.crf,
        'video.preset': spec.video.preset,
        has_audio: false,
      },
    };
  }
  const vec = (names: string[]): FeatureSpec => ({
    dtype: 'float32',
    shape: [names.length],
    names,
    fps: spec.fps,
  });
  const scalar = (dtype: Dtype): FeatureSpec => ({ dtype, shape: [1], names: null, fps: spec.fps });
  f[STATE_KEY] = vec(spec.stateNames);
  f[ACTION_KEY] = vec(spec.actionNames);
  f[RAW_ACTION_KEY] = vec(spec.actionNames);
  f[REWARD_KEY] = scalar('float32');
  f[DONE_KEY] = scalar('bool');
  f.timestamp = scalar('float32');
  f.frame_index = scalar('int64');
  f.episode_index = scalar('int64');
  f.index = scalar('int64');
  f.task_index = scalar('int64');
  return f;
}

/** Per-episode flags this app adds to the episodes table (LeRobot ignores extra columns). */
export type EpisodeSource = 'demo' | 'rollout' | 'intervention';
export const EPISODE_SOURCES: readonly EpisodeSource[] = ['demo', 'rollout', 'intervention'];

export const videoKeys = (info: InfoJson): string[] =>
  Object.entries(info.features)
    .filter(([, f]) => f.dtype === 'video')
    .map(([k]) => k);
