/**
 * Appends episodes to a LeRobotDataset v3.0 folder, crash-safely.
 *
 * File layout choice: one data parquet and one mp4 per camera PER EPISODE (file_index
 * increments, 1000 files per chunk). v3.0 allows any number of episodes per file (LeRobot itself
 * rolls files by size), and one-per-episode means a finished episode is never rewritten when the
 * next one is appended, a crash can only ever touch the episode in progress, and deleting an
 * episode deletes whole files. Every file is written under a temporary name and renamed into
 * place after fsync; meta/ files are rewritten atomically (temp + fsync + rename) after each
 * episode (or batch of episodes). The episodes table is split into files of 1000 rows, and only
 * files whose rows changed are rewritten, so appending costs the same at 100 or 100,000 episodes;
 * the dataset stats are aggregated incrementally for the same reason. The commit point of an
 * episode is the rename of its episodes-table file; a
 * meta/pending/episode-N.json written just before lets the next open finish (recover) an
 * episode whose files were all in place, or discard one whose files were not.
 *
 * Deleting an episode re-indexes the later ones (episode_index and index stay contiguous, as
 * LeRobot requires), guided by a meta/pending-delete.json journal so a crash mid-delete is
 * finished on the next open.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { rewriteEpisodeIndices } from './episode-data';
import { type EpisodeRecord, episodesToColumns, type FileRef } from './episode-table';
import { DatasetError, fsError } from './errors';
import {
  buildFeatures,
  CHUNKS_SIZE,
  CODEBASE_VERSION,
  DATA_PATH,
  type DatasetSpec,
  EPISODES_META_PATH,
  EPISODES_PER_META_FILE,
  fillTemplate,
  INFO_PATH,
  type InfoJson,
  STATS_PATH,
  TASKS_PATH,
  VIDEO_PATH,
  videoKeys,
} from './format';
import { atomicWriteFile, ensureDir } from './fsutil';
import { episodeMetaFiles, readEpisodes, readInfo, readTasks } from './meta';
import { encodeParquet, readParquetRows } from './parquet';
import { aggregateStats, type FeatureStats, STAT_NAMES, shapeStat } from './stats';

const PENDING_DIR = 'meta/pending';
const RECORDING_MARKER = 'meta/recording.json';
const DELETE_JOURNAL = 'meta/pending-delete.json';
const LOCK = 'meta/.lock';

export interface DiscardedEpisode {
  episodeIndex: number;
  task: string | null;
  startedAt: string | null;
  reason: string;
}

/** What opening the dataset had to clean up after a crash (shown to the user). */
export interface RecoveryReport {
  recovered: number[];
  discarded: DiscardedEpisode[];
  removedFiles: string[];
  finishedDelete: number | null;
  metadataRebuilt: boolean;
  /** One line for the UI, empty when nothing needed doing. */
  message: string;
}

export interface RecordingMarker {
  episode_index: number;
  task: string;
  started_at: string;
  files: string[];
}

export class DatasetWriter {
  episodes: EpisodeRecord[] = [];
  tasks: string[] = [];
  private constructor(
    readonly root: string,
    readonly info: InfoJson,
  ) {}

  /** Open an existing dataset for appending, or create it. Runs crash recovery. */
  static async open(
    root: string,
    spec: DatasetSpec,
  ): Promise<{ writer: DatasetWriter; recovery: RecoveryReport }> {
    ensureDir(join(root, 'meta'));
    let info: InfoJson;
    const exists = existsSync(join(root, INFO_PATH));
    if (exists) {
      info = readInfo(root);
      checkCompatible(root, info, spec);
    } else {
      if (existsSync(join(root, 'meta', 'info.jsonl')) || existsSync(join(root, 'meta', 'episodes.jsonl'))) {
        throw new DatasetError(`${root} looks like an older LeRobot dataset.`, 'old_version');
      }
      info = newInfo(spec);
    }
    const w = new DatasetWriter(root, info);
    w.lock();
    try {
      if (exists) {
        w.episodes = await readEpisodes(root, info);
        // One table file (any dataset this app wrote), or files of 1000 rows in order (since the split).
        const ownSplit = w.episodes.every(
          (e, i) => e.meta.chunk * CHUNKS_SIZE + e.meta.file === Math.floor(i / EPISODES_PER_META_FILE),
        );
        if (episodeMetaFiles(root).length > 1 && !ownSplit) {
          throw new DatasetError(
            `${root} keeps its episodes table in several files (a LeRobot-written layout); this app appends only to datasets it created.`,
            'unsupported_layout',
            'Record into a new dataset folder; you can still open this one for review and training.',
          );
        }
        w.tasks = await readTasks(root);
      }
      const recovery = await w.recover(exists);
      return { writer: w, recovery };
    } catch (err) {
      w.unlock();
      throw err;
    }
  }

  private lock(): void {
    const path = join(this.root, LOCK);
    if (existsSync(path)) {
      let holder: { pid?: number; start?: string | null } = {};
      try {
        holder = JSON.parse(readFileSync(path, 'utf8'));
      } catch {}
      if (holder.pid && holder.pid !== process.pid && processAlive(holder.pid, holder.start ?? null)) {
        throw new DatasetError(
          `${this.root} is being recorded by another process (pid ${holder.pid}).`,
          'locked',
          'Stop the other recording first, or record into another folder.',
        );
      }
    }
    try {
      writeFileSync(path, JSON.stringify({ pid: process.pid, start: processStart(process.pid) }));
    } catch (err) {
      throw fsError(err, 'write', path);
    }
  }

  private unlock(): void {
    rmSync(join(this.root, LOCK), { force: true });
  }

  close(): void {
    this.unlock();
  }

  path(rel: string): string {
    return join(this.root, rel);
  }

  dataPath(ref: FileRef): string {
    return fillTemplate(this.info.data_path, { chunk_index: ref.chunk, file_index: ref.file });
  }

  videoPath(key: string, ref: FileRef): string {
    return fillTemplate(this.info.video_path ?? VIDEO_PATH, {
      chunk_index: ref.chunk,
      file_index: ref.file,
      video_key: key,
    });
  }

  get totalFrames(): number {
    return this.episodes.reduce((s, e) => s + e.length, 0);
  }

  /** Next free file slot; data and every camera share the same file_index per episode. */
  nextFileRef(): FileRef {
    let max = -1;
    for (const e of this.episodes) {
      max = Math.max(max, e.data.chunk * CHUNKS_SIZE + e.data.file);
      for (const v of Object.values(e.videos)) max = Math.max(max, v.chunk * CHUNKS_SIZE + v.file);
    }
    const next = max + 1;
    return { chunk: Math.floor(next / CHUNKS_SIZE), file: next % CHUNKS_SIZE };
  }

  taskIndex(task: string): number {
    let i = this.tasks.indexOf(task);
    if (i < 0) {
      i = this.tasks.length;
      this.tasks.push(task);
    }
    return i;
  }

  markRecording(marker: RecordingMarker): void {
    atomicWriteFile(this.path(RECORDING_MARKER), JSON.stringify(marker));
  }

  clearRecordingMarker(): void {
    rmSync(this.path(RECORDING_MARKER), { force: true });
  }

  writePending(record: EpisodeRecord): string {
    const path = this.path(
      join(PENDING_DIR, `episode-${String(record.episode_index).padStart(6, '0')}.json`),
    );
    atomicWriteFile(path, JSON.stringify(record));
    return path;
  }

  /**
   * Make a finished episode part of the dataset: its files must already be in place. With
   * `metaLater`, meta/ is rewritten at the next writeMeta() instead (rewriting the episodes table
   * costs time in proportion to its size); until then the episode's pending record is what makes
   * it durable: a crash before that is recovered on the next open.
   */
  commit(record: EpisodeRecord, pendingPath: string, metaLater = false): void {
    this.episodes.push(record);
    if (metaLater) {
      this.deferred.push(pendingPath);
      this.clearRecordingMarker();
      return;
    }
    try {
      this.writeMeta();
    } catch (err) {
      this.episodes.pop();
      this.metaChangedFrom(this.episodes.length);
      this.statsCache = null;
      throw err;
    }
    rmSync(pendingPath, { force: true });
    this.clearRecordingMarker();
  }

  /** Pending records of episodes committed with `metaLater`, removed once meta/ lists them. */
  private deferred: string[] = [];

  /** Whether episodes committed with `metaLater` still wait for meta/ to list them. */
  get metaPending(): boolean {
    return this.deferred.length > 0;
  }

  setLabel(index: number, label: { success?: boolean | null; note?: string | null; tags?: string[] }): void {
    const e = this.episode(index);
    const before = { ...e };
    if (label.success !== undefined) e.success = label.success;
    if (label.note !== undefined) e.note = label.note;
    if (label.tags !== undefined) e.tags = [...label.tags];
    this.metaChangedFrom(index);
    try {
      this.writeMeta();
    } catch (err) {
      Object.assign(e, before);
      throw err;
    }
  }

  episode(index: number): EpisodeRecord {
    const e = this.episodes[index];
    if (!e || e.episode_index !== index) {
      throw new DatasetError(
        `Episode ${index} does not exist (the dataset has ${this.episodes.length} episodes, 0..${this.episodes.length - 1}).`,
        'no_episode',
      );
    }
    return e;
  }

  async deleteEpisode(index: number): Promise<void> {
    const e = this.episode(index);
    atomicWriteFile(this.path(DELETE_JOURNAL), JSON.stringify({ episode_index: index, data: e.data }));
    await this.applyDelete();
  }

  /** Idempotent: safe to re-run after a crash at any point. */
  private async applyDelete(): Promise<number | null> {
    const journalPath = this.path(DELETE_JOURNAL);
    if (!existsSync(journalPath)) return null;
    const j = JSON.parse(readFileSync(journalPath, 'utf8')) as { episode_index: number; data: FileRef };
    const victim = this.episodes[j.episode_index];
    const stillListed = victim && victim.data.chunk === j.data.chunk && victim.data.file === j.data.file;
    if (stillListed) {
      const kept = this.episodes.filter((_, i) => i !== j.episode_index);
      let from = 0;
      kept.forEach((ep, i) => {
        const changed = ep.episode_index !== i || ep.dataset_from_index !== from;
        ep.episode_index = i;
        ep.dataset_from_index = from;
        ep.dataset_to_index = from + ep.length;
        from += ep.length;
        if (changed) this.pendingRewrites.push(ep);
      });
      // Rewrite data files of later episodes first (each atomically, idempotent), then the table.
      for (const ep of this.pendingRewrites)
        await rewriteEpisodeIndices(this.root, this.dataPath(ep.data), ep, this.info.fps);
      this.pendingRewrites = [];
      for (const f of this.filesOf(victim)) rmSync(this.path(f), { force: true });
      this.episodes = kept;
      this.metaChangedFrom(j.episode_index);
      this.statsCache = null;
      this.writeMeta();
    } else if (this.dropStaleTableRows()) {
      this.writeMeta();
    }
    rmSync(journalPath, { force: true });
    return j.episode_index;
  }

  private pendingRewrites: EpisodeRecord[] = [];

  /**
   * A crash while a delete rewrote the episodes table can leave a later table file with a row of
   * the old numbering, pointing at the same data file as a re-indexed row. This writer keeps one
   * data file per episode (deletes rely on it), so the later duplicate is the stale one.
   */
  private dropStaleTableRows(): boolean {
    const seen = new Set<string>();
    const before = this.episodes.length;
    this.episodes = this.episodes.filter((e) => {
      const key = `${e.data.chunk}/${e.data.file}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return this.episodes.length < before;
  }

  filesOf(e: EpisodeRecord): string[] {
    return [this.dataPath(e.data), ...Object.entries(e.videos).map(([k, v]) => this.videoPath(k, v))];
  }

  /** Episodes [0, metaCleanUpTo) are on disk in meta/episodes exactly as they are in memory. */
  private metaCleanUpTo = 0;
  /** Stats aggregated over episodes [0, upTo), extended as episodes are appended. */
  private statsCache: { upTo: number; byFeature: Map<string, FeatureStats> } | null = null;

  private metaChangedFrom(index: number): void {
    this.metaCleanUpTo = Math.min(this.metaCleanUpTo, index);
  }

  /**
   * Rewrite the episodes-table files whose rows changed, then tasks, stats and info (each
   * atomically; info last). The first call after opening rewrites every file and removes any
   * other table files (a dataset written with another split).
   */
  writeMeta(): void {
    const imageKeys = new Set(videoKeys(this.info));
    const n = this.episodes.length;
    const files = Math.max(1, Math.ceil(n / EPISODES_PER_META_FILE));
    const ref = (f: number): FileRef => ({ chunk: Math.floor(f / CHUNKS_SIZE), file: f % CHUNKS_SIZE });
    const tablePath = (f: number) =>
      this.path(fillTemplate(EPISODES_META_PATH, { chunk_index: ref(f).chunk, file_index: ref(f).file }));
    for (let f = Math.floor(this.metaCleanUpTo / EPISODES_PER_META_FILE); f < files; f++) {
      const rows = this.episodes.slice(f * EPISODES_PER_META_FILE, (f + 1) * EPISODES_PER_META_FILE);
      for (const r of rows) r.meta = ref(f);
      atomicWriteFile(tablePath(f), encodeParquet(episodesToColumns(rows, imageKeys)));
    }
    // Table files past the last one (after a delete, or written with another split) go.
    const current = new Set(Array.from({ length: files }, (_, f) => tablePath(f)));
    for (const f of episodeMetaFiles(this.root)) if (!current.has(f)) rmSync(f, { force: true });
    this.metaCleanUpTo = n;
    atomicWriteFile(this.path(TASKS_PATH), encodeTasks(this.tasks));
    atomicWriteFile(this.path(STATS_PATH), JSON.stringify(this.datasetStats(), null, 2));
    this.info.total_episodes = n;
    this.info.total_frames = this.totalFrames;
    this.info.total_tasks = this.tasks.length;
    this.info.splits = { train: `0:${n}` };
    atomicWriteFile(this.path(INFO_PATH), JSON.stringify(this.info, null, 4));
    for (const p of this.deferred) rmSync(p, { force: true });
    this.deferred = [];
  }

  datasetStats(): Record<string, Record<string, unknown>> {
    const imageKeys = new Set(videoKeys(this.info));
    const n = this.episodes.length;
    const cache =
      this.statsCache && this.statsCache.upTo <= n
        ? this.statsCache
        : { upTo: 0, byFeature: new Map<string, FeatureStats>() };
    // Aggregating an aggregate with more parts gives the same result as aggregating all parts.
    const added = this.episodes.slice(cache.upTo);
    const features = new Set([...cache.byFeature.keys(), ...added.flatMap((e) => Object.keys(e.stats))]);
    const out: Record<string, Record<string, unknown>> = {};
    for (const feat of features) {
      const prior = cache.byFeature.get(feat);
      const agg = aggregateStats([
        ...(prior ? [prior] : []),
        ...added.map((e) => e.stats[feat]).filter((s): s is FeatureStats => !!s),
      ]);
      cache.byFeature.set(feat, agg);
      out[feat] = Object.fromEntries(STAT_NAMES.map((s) => [s, shapeStat(agg[s], imageKeys.has(feat), s)]));
    }
    this.statsCache = { upTo: n, byFeature: cache.byFeature };
    return out;
  }

  private async recover(existed: boolean): Promise<RecoveryReport> {
    const report: RecoveryReport = {
      recovered: [],
      discarded: [],
      removedFiles: [],
      finishedDelete: null,
      metadataRebuilt: false,
      message: '',
    };
    if (!existed) {
      ensureDir(this.path('data'));
      this.writeMeta();
      return report;
    }
    report.finishedDelete = await this.applyDelete();
    let changed = report.finishedDelete !== null;

    const marker = this.readMarker();
    const pendingDir = this.path(PENDING_DIR);
    const pendings = existsSync(pendingDir)
      ? readdirSync(pendingDir)
          .filter((f) => f.endsWith('.json'))
          .sort()
      : [];
    for (const name of pendings) {
      const p = join(pendingDir, name);
      let rec: EpisodeRecord | null = null;
      try {
        rec = JSON.parse(readFileSync(p, 'utf8')) as EpisodeRecord;
      } catch {}
      if (rec) {
        const listed = this.episodes.some(
          (e) => e.data.chunk === rec.data.chunk && e.data.file === rec.data.file,
        );
        if (!listed) {
          if (rec.episode_index === this.episodes.length && (await this.filesComplete(rec))) {
            this.episodes.push(rec);
            for (const t of rec.tasks) this.taskIndex(t);
            report.recovered.push(rec.episode_index);
            changed = true;
          } else {
            report.discarded.push({
              episodeIndex: rec.episode_index,
              task: rec.tasks[0] ?? null,
              startedAt: rec.recorded_at,
              reason: 'its files were not all written when the app stopped',
            });
          }
        }
      }
      rmSync(p, { force: true });
    }
    if (
      marker &&
      !report.recovered.includes(marker.episode_index) &&
      !report.discarded.some((d) => d.episodeIndex === marker.episode_index) &&
      marker.episode_index >= this.episodes.length
    ) {
      report.discarded.push({
        episodeIndex: marker.episode_index,
        task: marker.task,
        startedAt: marker.started_at,
        reason: 'recording was interrupted before the episode ended',
      });
    }
    this.clearRecordingMarker();

    // Anything under data/ or videos/ that no episode refers to is a leftover: remove it.
    const referenced = new Set(this.episodes.flatMap((e) => this.filesOf(e)));
    for (const dir of ['data', 'videos']) {
      for (const f of walk(this.path(dir))) {
        const rel = relative(this.root, f);
        if (!referenced.has(rel)) {
          rmSync(f, { force: true });
          report.removedFiles.push(rel);
        }
      }
    }
    for (const f of readdirSync(this.path('meta'), { recursive: true, encoding: 'utf8' })) {
      if (/\.tmp-\d+$/.test(f)) {
        rmSync(this.path(join('meta', f)), { force: true });
        report.removedFiles.push(join('meta', f));
      }
    }
    if (this.info.total_episodes !== this.episodes.length || this.info.total_frames !== this.totalFrames) {
      changed = true;
    }
    if (changed) {
      this.writeMeta();
      report.metadataRebuilt = true;
    }
    report.message = recoveryMessage(report);
    return report;
  }

  private readMarker(): RecordingMarker | null {
    try {
      return JSON.parse(readFileSync(this.path(RECORDING_MARKER), 'utf8')) as RecordingMarker;
    } catch {
      return null;
    }
  }

  private async filesComplete(rec: EpisodeRecord): Promise<boolean> {
    for (const f of this.filesOf(rec)) {
      const p = this.path(f);
      if (!existsSync(p) || statSync(p).size === 0) return false;
    }
    try {
      const rows = await readParquetRows(this.path(this.dataPath(rec.data)));
      return rows.length === rec.length;
    } catch {
      return false;
    }
  }
}

function recoveryMessage(r: RecoveryReport): string {
  const parts: string[] = [];
  if (r.recovered.length)
    parts.push(`Recovered episode(s) ${r.recovered.join(', ')} that finished just before the app stopped.`);
  for (const d of r.discarded) {
    parts.push(
      `Discarded unfinished episode ${d.episodeIndex}${d.task ? ` ("${d.task}")` : ''}${d.startedAt ? ` started ${d.startedAt}` : ''}: ${d.reason}.`,
    );
  }
  if (r.finishedDelete !== null) parts.push(`Finished deleting episode ${r.finishedDelete}.`);
  // .partial videos alone are encoders started ahead for an episode that never began.
  const leftovers = r.removedFiles.filter((f) => !f.endsWith('.partial'));
  if (leftovers.length && !r.discarded.length) parts.push(`Removed ${leftovers.length} leftover file(s).`);
  if (r.metadataRebuilt && !parts.length) parts.push('Rebuilt dataset metadata after an interrupted write.');
  return parts.join(' ');
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** Linux: a process's start time (field 22 of /proc/<pid>/stat) tells a reused pid apart. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function processAlive(pid: number, start: string | null): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return false;
    return start === null || fields[19] === start;
  } catch {
    if (existsSync('/proc/self/stat')) return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function encodeTasks(tasks: string[]): Uint8Array {
  // pandas metadata makes `pd.read_parquet` index the table by task, as LeRobot expects.
  const pandas = {
    index_columns: ['task'],
    column_indexes: [],
    columns: [
      {
        name: 'task_index',
        field_name: 'task_index',
        pandas_type: 'int64',
        numpy_type: 'int64',
        metadata: null,
      },
      { name: 'task', field_name: 'task', pandas_type: 'unicode', numpy_type: 'object', metadata: null },
    ],
    creator: { library: 'pushcut-studio', version: '0.1.0' },
    pandas_version: '2.2.0',
  };
  return encodeParquet(
    [
      { name: 'task_index', kind: 'int64', data: tasks.map((_, i) => i) },
      { name: 'task', kind: 'string', data: tasks },
    ],
    [{ key: 'pandas', value: JSON.stringify(pandas) }],
  );
}

function newInfo(spec: DatasetSpec): InfoJson {
  return {
    codebase_version: CODEBASE_VERSION,
    robot_type: spec.robotType,
    total_episodes: 0,
    total_frames: 0,
    total_tasks: 0,
    chunks_size: CHUNKS_SIZE,
    data_files_size_in_mb: 100,
    video_files_size_in_mb: 200,
    fps: spec.fps,
    splits: { train: '0:0' },
    data_path: DATA_PATH,
    video_path: spec.cameras.length ? VIDEO_PATH : null,
    features: buildFeatures(spec),
  };
}

function checkCompatible(root: string, info: InfoJson, spec: DatasetSpec): void {
  const want = buildFeatures(spec);
  const problems: string[] = [];
  if (info.fps !== spec.fps) problems.push(`fps ${info.fps} vs ${spec.fps}`);
  for (const [k, f] of Object.entries(want)) {
    const have = info.features[k];
    if (!have) problems.push(`missing feature ${k}`);
    else if (JSON.stringify(have.shape) !== JSON.stringify(f.shape)) {
      problems.push(`${k} shape ${JSON.stringify(have.shape)} vs ${JSON.stringify(f.shape)}`);
    }
  }
  for (const k of Object.keys(info.features)) if (!want[k]) problems.push(`extra feature ${k}`);
  if (problems.length) {
    throw new DatasetError(
      `${root} was recorded with a different robot or camera setup (${problems.join('; ')}).`,
      'incompatible_dataset',
      'Record into a new dataset folder for this setup.',
    );
  }
}
