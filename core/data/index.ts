export type { DiscardedEpisode, RecoveryReport } from './dataset-writer';
export type { EpisodeRecord } from './episode-table';
export { DatasetError } from './errors';
export { decodeVideo, findFfmpeg } from './ffmpeg';
export * from './format';
export {
  DatasetReader,
  type EpisodeData,
  type EpisodeFilter,
  type EpisodeSummary,
  openDataset,
} from './reader';
export {
  type EpisodeLabel,
  type EpisodeStart,
  type FrameInput,
  type RecorderState,
  type RecordingOptions,
  type RecordingProgress,
  RecordingSession,
} from './recorder';
export { type DatasetProblem, validateDataset } from './validate';
