import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetReader, imageKey, RecordingSession, STATE_KEY } from '../data';
import type { ControlTick } from '../hardware/control-loop';
import type { RobotFeatures } from '../hardware/robot';
import type { CommandResult } from './contract';
import { ApiError } from './errors';
import { checkName, datasetsDir } from './home';

type Progress = CommandResult<'record.status'>;

/**
 * Datasets as the UI sees them: record episodes from the connected robot's control loop, browse,
 * relabel and delete them. One RecordingSession per dataset folder stays open while it is used,
 * so the writer's lock and metadata are never held twice.
 */
export class DatasetService {
  private sessions = new Map<string, RecordingSession>();
  private recording: { name: string; session: RecordingSession } | null = null;

  constructor(private readonly emitProgress: (p: Progress) => void) {}

  root(name: string): string {
    return join(datasetsDir(), checkName('Dataset', name));
  }

  async list(): Promise<CommandResult<'datasets.list'>> {
    const dir = datasetsDir();
    if (!existsSync(dir)) return [];
    const out: CommandResult<'datasets.list'> = [];
    for (const name of readdirSync(dir).sort()) {
      try {
        const r = await DatasetReader.open(join(dir, name));
        out.push({
          name,
          episodes: r.episodes.length,
          frames: r.info.total_frames,
          fps: r.fps,
          robotType: r.info.robot_type ?? 'unknown',
          problem: null,
        });
      } catch (err) {
        out.push({ name, episodes: 0, frames: 0, fps: 0, robotType: 'unknown', problem: String(err) });
      }
    }
    return out;
  }

  /** Open (or create) a dataset for recording from a robot with these features. */
  async openForRecording(
    name: string,
    features: RobotFeatures,
    fps: number,
  ): Promise<CommandResult<'record.open'>> {
    if (this.recording?.session.progress().state === 'recording') {
      throw new ApiError(
        'failed',
        'An episode is being recorded: end or discard it before switching datasets',
      );
    }
    const root = this.root(name);
    let session = this.sessions.get(root);
    if (!session) {
      session = await RecordingSession.open({ root, robot: features, fps });
      this.sessions.set(root, session);
    }
    this.recording = { name, session };
    this.publish();
    return {
      dataset: name,
      root,
      recovery: session.recovery.message ?? null,
      episodes: session.progress().totalEpisodes,
    };
  }

  /** The dataset's one writer session (created for these features if the dataset is new). */
  async session(name: string, features: RobotFeatures, fps: number): Promise<RecordingSession> {
    const root = this.root(name);
    let session = this.sessions.get(root);
    if (!session) {
      session = await RecordingSession.open({ root, robot: features, fps });
      this.sessions.set(root, session);
    }
    return session;
  }

  start(task: string): number {
    const index = this.requireRecording().startEpisode({ task, source: 'demo' });
    this.publish();
    return index;
  }

  async end(label: { success?: boolean | null; note?: string }): Promise<number> {
    const session = this.requireRecording();
    const p = endPromise(session.endEpisode({ success: label.success ?? null, note: label.note ?? null }));
    this.publish();
    const index = await p;
    this.publish();
    return index;
  }

  async discard(): Promise<void> {
    await this.requireRecording().discardEpisode();
    this.publish();
  }

  /** The robot is going away: keep what was recorded of the episode in progress. */
  async finishActive(): Promise<void> {
    if (this.recording?.session.progress().state === 'recording')
      await this.end({ note: 'ended by disconnect' });
    this.recording = null;
    this.publish();
  }

  /** Called by the Studio on every control tick: the frame the robot saw and the command it got. */
  onTick(tick: ControlTick): void {
    const session = this.recording?.session;
    if (session?.progress().state !== 'recording') return;
    const action = tick.commanded ?? tick.obs.state;
    session.addFrame({
      state: tick.obs.state,
      action,
      rawAction: tick.raw ?? action,
      images: tick.obs.images,
    });
    if (session.progress().frames % 10 === 0) this.publish();
  }

  status(): Progress {
    if (!this.recording) return { dataset: null, ...idleProgress() };
    return { dataset: this.recording.name, ...this.recording.session.progress() };
  }

  async episodes(
    name: string,
    filter: { tag?: string; task?: string; source?: string; success?: boolean | null },
  ) {
    const reader = await this.reader(name);
    return reader.listEpisodes(filter);
  }

  async episode(name: string, index: number): Promise<CommandResult<'episodes.get'>> {
    const reader = await this.reader(name);
    const data = await reader.loadEpisode(index);
    const summary = reader.listEpisodes().find((e) => e.index === index)!;
    const names = reader.info.features[STATE_KEY]?.names;
    return {
      summary,
      fps: reader.fps,
      joints: Array.isArray(names) ? names : [],
      cameras: reader.videoKeys.map((k) => k.replace('observation.images.', '')),
      timestamps: data.timestamps,
      state: data.state,
      action: data.action,
    };
  }

  async video(name: string, index: number, camera: string): Promise<CommandResult<'episodes.video'>> {
    const reader = await this.reader(name);
    const file = reader.videoFile(index, imageKey(camera));
    const e = reader.episode(index);
    const v = e.videos[imageKey(camera)];
    return {
      mime: 'video/mp4',
      base64: (await readFile(file)).toString('base64'),
      from: v?.from ?? 0,
      to: v?.to ?? e.length / reader.fps,
    };
  }

  async label(
    name: string,
    index: number,
    label: { success?: boolean | null; note?: string },
  ): Promise<void> {
    const session = await this.writable(name);
    session.setEpisodeLabel(index, {
      ...(label.success !== undefined ? { success: label.success } : {}),
      ...(label.note !== undefined ? { note: label.note } : {}),
    });
  }

  /** Replace the episode's pushcut tags (`pushcut:*`, `novel`), keeping the user's other tags. */
  async setPushcutTags(name: string, index: number, tags: string[]): Promise<void> {
    const session = await this.writable(name);
    const current = (await this.reader(name)).episode(index).tags;
    const kept = current.filter((t) => !t.startsWith('pushcut:') && t !== 'novel');
    session.setEpisodeLabel(index, { tags: [...kept, ...tags] });
  }

  /**
   * Replace the pushcut tags of many episodes (index -> tags) with one read of the dataset; only
   * episodes whose tags change are written, so re-analysing hundreds of rollouts writes a few.
   */
  async setPushcutTagsMany(name: string, tags: ReadonlyMap<number, string[]>): Promise<number> {
    const session = await this.writable(name);
    const reader = await this.reader(name);
    let written = 0;
    for (const [index, add] of tags) {
      const current = reader.episode(index).tags;
      const next = [...current.filter((t) => !t.startsWith('pushcut:') && t !== 'novel'), ...add];
      if (next.length === current.length && next.every((t, i) => t === current[i])) continue;
      session.setEpisodeLabel(index, { tags: next });
      written++;
    }
    return written;
  }

  async remove(name: string, index: number): Promise<void> {
    const session = await this.writable(name);
    await session.deleteEpisode(index);
    this.publish();
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) await s.close().catch(() => undefined);
    this.sessions.clear();
    this.recording = null;
  }

  private async reader(name: string): Promise<DatasetReader> {
    const root = this.root(name);
    if (!existsSync(root)) throw new ApiError('failed', `No dataset named "${name}" in ${datasetsDir()}`);
    return DatasetReader.open(root);
  }

  /** The open session for a dataset, or one opened from the dataset's own info.json. */
  private async writable(name: string): Promise<RecordingSession> {
    const root = this.root(name);
    const open = this.sessions.get(root);
    if (open) return open;
    const reader = await this.reader(name);
    const names = reader.info.features[STATE_KEY]?.names;
    const joints = (Array.isArray(names) ? names : []).map((n) => n.replace(/\.pos$/, ''));
    const cameras = reader.videoKeys.map((k) => {
      const shape = reader.info.features[k]?.shape ?? [0, 0, 3];
      return { name: k.replace('observation.images.', ''), height: shape[0] ?? 0, width: shape[1] ?? 0 };
    });
    const session = await RecordingSession.open({
      root,
      robot: { joints, cameras, robotType: reader.info.robot_type ?? 'unknown' },
      fps: reader.fps,
    });
    this.sessions.set(root, session);
    return session;
  }

  private requireRecording(): RecordingSession {
    if (!this.recording) throw new ApiError('failed', 'No dataset is open for recording: choose one first');
    return this.recording.session;
  }

  private publish(): void {
    this.emitProgress(this.status());
  }
}

function endPromise<T>(p: Promise<T>): Promise<T> {
  return p.catch((err) => {
    throw new ApiError(
      'failed',
      `Saving the episode failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  });
}

function idleProgress(): Omit<Progress, 'dataset'> {
  return {
    state: 'idle',
    episodeIndex: null,
    task: null,
    frames: 0,
    seconds: 0,
    dropped: 0,
    missed: 0,
    totalEpisodes: 0,
    totalFrames: 0,
    lastSaveMs: null,
    error: null,
  };
}
