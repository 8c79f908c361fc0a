/**
 * RecordingSession: the one object the control loop talks to while recording. It is generic:
 * call `addFrame` from any robot loop with any command source (teleop, policy, scripted expert).
 *
 *   const rec = await RecordingSession.open({ root, robot: robot.features, fps: 30 });
 *   if (rec.recovery.message) show(rec.recovery.message);
 *   rec.startEpisode({ task: 'pick the red cube', source: 'demo' });
 *   // every 1/fps s: rec.addFrame({ state, action, rawAction, images })
 *   const index = await rec.endEpisode({ success: true });
 *   await rec.close();
 */

import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CameraFrame, RobotFeatures } from '../hardware/robot';
import { jointFeature } from '../hardware/robot';
import { DatasetWriter, type RecoveryReport } from './dataset-writer';
import { type EpisodeFrames, encodeEpisodeData, episodeNumericStats } from './episode-data';
import type { EpisodeRecord, FileRef } from './episode-table';
import { DatasetError } from './errors';
import { VideoEncoder } from './ffmpeg';
import {
  type DatasetSpec,
  DEFAULT_VIDEO,
  EPISODE_SOURCES,
  type EpisodeSource,
  imageKey,
  type VideoSettings,
} from './format';
import { atomicWriteFile, durableRename, ensureDir } from './fsutil';
import { ImageStatsAccumulator } from './stats';

export interface RecordingOptions {
  /** Dataset folder; created if missing, appended to if it holds a dataset of the same setup. */
  root: string;
  robot: Pick<RobotFeatures, 'joints' | 'cameras' | 'robotType'>;
  fps?: number;
  /** Names of the action vector (default: the joint features, like the state). */
  actionNames?: string[];
  video?: Partial<VideoSettings>;
  /** Per camera, frames allowed to wait for the encoder before new ones are dropped (default 2 s). */
  maxQueuedFrames?: number;
  /** Start the next episode's encoders while idle, after each episode and on warmUp() (default true). */
  prewarmEncoders?: boolean;
}

export interface EpisodeStart {
  task: string;
  source?: EpisodeSource;
  policyVersion?: string | null;
  tags?: string[];
}

export interface FrameInput {
  state: ArrayLike<number>;
  /** The command actually sent to the robot (after the safety layer). */
  action: ArrayLike<number>;
  /** The command as the operator/policy gave it (default: same as action). */
  rawAction?: ArrayLike<number>;
  images: Record<string, CameraFrame>;
  reward?: number;
  done?: boolean;
}

export interface EpisodeLabel {
  success?: boolean | null;
  note?: string | null;
  tags?: string[];
}

export type RecorderState = 'idle' | 'recording' | 'saving' | 'error' | 'closed';

export interface RecordingProgress {
  state: RecorderState;
  episodeIndex: number | null;
  task: string | null;
  frames: number;
  seconds: number;
  /** Frames refused because an encoder was too far behind (no row, no video frame). */
  dropped: number;
  /** Frames the wall clock says should exist but addFrame was not called for (control loop late). */
  missed: number;
  totalEpisodes: number;
  totalFrames: number;
  /** Milliseconds from endEpisode to the episode being committed on disk, last episode. */
  lastSaveMs: number | null;
  error: string | null;
}

interface EncoderSlot {
  enc: VideoEncoder;
  partial: string;
  final: string;
}

interface Active {
  index: number;
  start: EpisodeStart;
  taskIndex: number;
  fileRef: FileRef;
  encoders: Map<string, EncoderSlot>;
  imageStats: Map<string, ImageStatsAccumulator>;
  frames: EpisodeFrames;
  startedAt: string;
  t0: number;
}

export class RecordingSession {
  private active: Active | null = null;
  private state: RecorderState = 'idle';
  private error: DatasetError | null = null;
  private dropped = 0;
  private missed = 0;
  private lastSaveMs: number | null = null;
  private warm: { fileRef: FileRef; encoders: Map<string, EncoderSlot> } | null = null;
  private readonly stateDim: number;
  private readonly actionDim: number;

  private constructor(
    private readonly writer: DatasetWriter,
    readonly spec: DatasetSpec,
    readonly recovery: RecoveryReport,
    private readonly maxQueuedFrames: number | undefined,
    private readonly prewarmEncoders: boolean,
  ) {
    this.stateDim = spec.stateNames.length;
    this.actionDim = spec.actionNames.length;
  }

  static async open(opts: RecordingOptions): Promise<RecordingSession> {
    const fps = opts.fps ?? 30;
    const stateNames = opts.robot.joints.map(jointFeature);
    const spec: DatasetSpec = {
      robotType: opts.robot.robotType,
      fps,
      stateNames,
      actionNames: opts.actionNames ?? stateNames,
      cameras: opts.robot.cameras.map((c) => ({ name: c.name, width: c.width, height: c.height })),
      video: { ...DEFAULT_VIDEO, ...opts.video },
    };
    const { writer, recovery } = await DatasetWriter.open(opts.root, spec);
    return new RecordingSession(writer, spec, recovery, opts.maxQueuedFrames, opts.prewarmEncoders ?? true);
  }

  get root(): string {
    return this.writer.root;
  }

  private spawnEncoders(fileRef: FileRef): Map<string, EncoderSlot> {
    const w = this.writer;
    const out = new Map<string, EncoderSlot>();
    try {
      for (const cam of this.spec.cameras) {
        const key = imageKey(cam.name);
        const final = w.path(w.videoPath(key, fileRef));
        ensureDir(dirname(final));
        const partial = `${final}.partial`;
        const enc = new VideoEncoder({
          path: partial,
          width: cam.width,
          height: cam.height,
          fps: this.spec.fps,
          settings: this.spec.video,
          maxQueuedFrames: this.maxQueuedFrames,
        });
        out.set(key, { enc, partial, final });
      }
    } catch (err) {
      for (const e of out.values()) void e.enc.abort();
      throw err;
    }
    return out;
  }

  /**
   * Start the next episode's ffmpeg processes while idle, so the first frames of an episode do
   * not wait for (or get dropped during) encoder start-up, which takes seconds on a busy machine.
   * Done automatically after each episode; call it when the user gets ready to record the first.
   * (Sessions opened only to relabel or delete never start encoders.)
   */
  warmUp(): void {
    this.prewarm();
  }

  private prewarm(): void {
    if (!this.prewarmEncoders || this.warm || this.spec.cameras.length === 0) return;
    try {
      const fileRef = this.writer.nextFileRef();
      this.warm = { fileRef, encoders: this.spawnEncoders(fileRef) };
    } catch {
      this.warm = null; // startEpisode will try again and report the error
    }
  }

  private takeWarmEncoders(fileRef: FileRef): Map<string, EncoderSlot> | null {
    const warm = this.warm;
    this.warm = null;
    if (!warm) return null;
    const healthy = [...warm.encoders.values()].every((e) => !e.enc.error);
    if (healthy && warm.fileRef.chunk === fileRef.chunk && warm.fileRef.file === fileRef.file) {
      return warm.encoders;
    }
    for (const e of warm.encoders.values()) void e.enc.abort();
    return null;
  }

  private async dropWarm(): Promise<void> {
    const warm = this.warm;
    this.warm = null;
    if (warm) await Promise.all([...warm.encoders.values()].map((e) => e.enc.abort()));
  }

  progress(): RecordingProgress {
    const a = this.active;
    return {
      state: this.state,
      episodeIndex: a?.index ?? null,
      task: a?.start.task ?? null,
      frames: a?.frames.state.length ?? 0,
      seconds: (a?.frames.state.length ?? 0) / this.spec.fps,
      dropped: this.dropped,
      missed: this.missed,
      totalEpisodes: this.writer.episodes.length,
      totalFrames: this.writer.totalFrames,
      lastSaveMs: this.lastSaveMs,
      error: this.error?.message ?? null,
    };
  }

  /** Pids of the running ffmpeg encoders (for CPU accounting). */
  encoderPids(): number[] {
    return [...(this.active?.encoders.values() ?? [])].map((e) => e.enc.pid).filter((p): p is number => !!p);
  }

  startEpisode(start: EpisodeStart): number {
    if (this.state === 'closed') throw new DatasetError('The recording session is closed.', 'closed');
    if (this.state === 'recording' || this.state === 'saving') {
      throw new DatasetError(
        `Episode ${this.active?.index} is still ${this.state}.`,
        'busy',
        'End or discard it before starting the next one.',
      );
    }
    if (!start.task?.trim()) {
      throw new DatasetError(
        'An episode needs a task description.',
        'no_task',
        'Type what the robot should do.',
      );
    }
    const source = start.source ?? 'demo';
    if (!EPISODE_SOURCES.includes(source)) {
      throw new DatasetError(
        `Unknown episode source "${source}".`,
        'bad_source',
        `Use one of ${EPISODE_SOURCES.join(', ')}.`,
      );
    }
    this.error = null;
    const w = this.writer;
    const index = w.episodes.length;
    const fileRef = this.warm?.fileRef ?? w.nextFileRef();
    const a: Active = {
      index,
      start: { ...start, source },
      taskIndex: w.tasks.includes(start.task) ? w.tasks.indexOf(start.task) : w.tasks.length,
      fileRef,
      encoders: new Map(),
      imageStats: new Map(),
      frames: { state: [], action: [], rawAction: [], reward: [], done: [] },
      startedAt: new Date().toISOString(),
      t0: performance.now(),
    };
    try {
      a.encoders = this.takeWarmEncoders(fileRef) ?? this.spawnEncoders(fileRef);
      for (const key of a.encoders.keys()) a.imageStats.set(key, new ImageStatsAccumulator());
      ensureDir(dirname(w.path(w.dataPath(fileRef))));
      const files = [...a.encoders.values()].map((e) => e.final);
      w.markRecording({ episode_index: index, task: start.task, started_at: a.startedAt, files });
    } catch (err) {
      for (const e of a.encoders.values()) void e.enc.abort();
      throw this.fail(err);
    }
    this.active = a;
    this.state = 'recording';
    this.dropped = 0;
    this.missed = 0;
    return index;
  }

  /** Add one frame; returns false when it was dropped because video encoding fell behind. */
  addFrame(frame: FrameInput): boolean {
    const a = this.active;
    if (!a || this.state !== 'recording') {
      throw (
        this.error ??
        new DatasetError('No episode is being recorded.', 'not_recording', 'Call startEpisode first.')
      );
    }
    for (const { enc } of a.encoders.values()) {
      if (enc.error) {
        this.abortActive();
        throw this.fail(enc.error);
      }
    }
    if (frame.state.length !== this.stateDim || frame.action.length !== this.actionDim) {
      throw new DatasetError(
        `Frame has state of length ${frame.state.length} and action of length ${frame.action.length}; this dataset expects ${this.stateDim} and ${this.actionDim}.`,
        'bad_frame',
      );
    }
    const raw = frame.rawAction ?? frame.action;
    if (raw.length !== this.actionDim) {
      throw new DatasetError(`rawAction has length ${raw.length}, expected ${this.actionDim}.`, 'bad_frame');
    }
    for (const [key] of a.encoders) {
      const cam = key.slice('observation.images.'.length);
      if (!frame.images[cam]) {
        throw new DatasetError(
          `Frame lacks the image of camera "${cam}".`,
          'bad_frame',
          'Pass every camera in images.',
        );
      }
    }
    const n = a.frames.state.length;
    const expected = Math.floor(((performance.now() - a.t0) / 1000) * this.spec.fps) + 1;
    this.missed = Math.max(this.missed, expected - (n + this.dropped) - 1);
    for (const { enc } of a.encoders.values()) {
      if (enc.wouldDrop()) {
        this.dropped++;
        return false;
      }
    }
    try {
      for (const [key, { enc }] of a.encoders) {
        const cam = key.slice('observation.images.'.length);
        const img = frame.images[cam] as CameraFrame;
        enc.write(img);
        a.imageStats.get(key)?.add(img);
      }
    } catch (err) {
      this.abortActive();
      throw this.fail(err);
    }
    a.frames.state.push(Array.from(frame.state));
    a.frames.action.push(Array.from(frame.action));
    a.frames.rawAction.push(Array.from(raw));
    a.frames.reward.push(frame.reward ?? 0);
    a.frames.done.push(frame.done ?? false);
    return true;
  }

  /**
   * Finish the episode; resolves once it is committed on disk. Returns its episode_index.
   * `metaLater` defers rewriting meta/ (the episodes table, stats, info) to flushMeta(): for
   * writers of many short episodes (RL rollouts). The episode is durable either way: a crash
   * before the flush is recovered on the next open.
   */
  async endEpisode(label: EpisodeLabel = {}, opts: { metaLater?: boolean } = {}): Promise<number> {
    const a = this.active;
    if (!a || this.state !== 'recording') {
      throw new DatasetError('No episode is being recorded.', 'not_recording');
    }
    const n = a.frames.state.length;
    if (n === 0) {
      await this.discardEpisode();
      throw new DatasetError('The episode has no frames and was discarded.', 'empty_episode');
    }
    this.state = 'saving';
    const t0 = performance.now();
    const w = this.writer;
    const fps = this.spec.fps;
    const fromIndex = w.totalFrames;
    const taskIndex = w.taskIndex(a.start.task);
    const placement = { episodeIndex: a.index, fromIndex, taskIndex, fps };
    const stats = episodeNumericStats(a.frames, placement);
    for (const [key, acc] of a.imageStats) stats[key] = acc.stats();
    const record: EpisodeRecord = {
      episode_index: a.index,
      tasks: [a.start.task],
      length: n,
      data: a.fileRef,
      dataset_from_index: fromIndex,
      dataset_to_index: fromIndex + n,
      videos: Object.fromEntries(
        [...a.encoders.keys()].map((k) => [k, { ...a.fileRef, from: 0, to: n / fps }]),
      ),
      meta: { chunk: 0, file: 0 },
      stats,
      success: label.success ?? null,
      source: a.start.source ?? 'demo',
      policy_version: a.start.policyVersion ?? null,
      note: label.note ?? null,
      tags: label.tags ?? a.start.tags ?? [],
      recorded_at: a.startedAt,
    };
    try {
      const pending = w.writePending(record);
      await Promise.all([...a.encoders.values()].map((e) => e.enc.finish()));
      for (const e of a.encoders.values()) durableRename(e.partial, e.final);
      atomicWriteFile(w.path(w.dataPath(a.fileRef)), encodeEpisodeData(a.frames, placement));
      w.commit(record, pending, opts.metaLater ?? false);
    } catch (err) {
      this.abortActive();
      throw this.fail(err);
    }
    this.lastSaveMs = performance.now() - t0;
    this.active = null;
    this.state = 'idle';
    this.prewarm();
    return a.index;
  }

  /** Throw away the episode in progress (re-record). */
  async discardEpisode(): Promise<void> {
    const a = this.active;
    if (!a) return;
    this.active = null;
    await Promise.all([...a.encoders.values()].map((e) => e.enc.abort()));
    this.writer.clearRecordingMarker();
    if (this.state === 'recording' || this.state === 'saving') {
      this.state = 'idle';
      this.prewarm();
    }
  }

  setEpisodeLabel(index: number, label: EpisodeLabel): void {
    this.writer.setLabel(index, label);
  }

  /** Delete an episode; later episodes are re-indexed so indices stay contiguous. */
  async deleteEpisode(index: number): Promise<void> {
    if (this.active) {
      throw new DatasetError(
        'Cannot delete while an episode is being recorded.',
        'busy',
        'End or discard it first.',
      );
    }
    await this.writer.deleteEpisode(index);
  }

  /** Rewrite meta/ for episodes ended with `metaLater`, so readers see them. */
  flushMeta(): void {
    if (!this.writer.metaPending) return;
    try {
      this.writer.writeMeta();
    } catch (err) {
      throw this.fail(err);
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.discardEpisode();
    await this.dropWarm();
    try {
      if (this.writer.metaPending) this.writer.writeMeta();
    } finally {
      this.writer.close();
    }
  }

  private abortActive(): void {
    const a = this.active;
    this.active = null;
    if (a) for (const e of a.encoders.values()) void e.enc.abort();
  }

  private fail(err: unknown): DatasetError {
    const e =
      err instanceof DatasetError
        ? err
        : new DatasetError(`Recording failed: ${(err as Error)?.message ?? String(err)}`, 'record_failed');
    this.error = new DatasetError(`Recording stopped: ${e.message}`, e.code);
    this.state = 'error';
    return this.error;
  }
}
