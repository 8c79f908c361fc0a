import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetReader } from '../../core/data/reader';
import { testPatternFrame } from '../../core/data/test-pattern';
import { validateDataset } from '../../core/data/validate';
import { duck, ffprobe, JOINTS, recordSynthetic, stateValue } from './helpers';

const LENGTHS = [30, 45, 24];
const CAMS = [
  { name: 'front', width: 64, height: 64 },
  { name: 'wrist', width: 64, height: 64 },
];
let root: string;
let db: Awaited<ReturnType<typeof duck>>;
const q = (p: string): string => `'${p.replace(/'/g, "''")}'`;

beforeAll(async () => {
  root = join(mkdtempSync(join(tmpdir(), 'pushcut-data-')), 'ds');
  const rec = await recordSynthetic(root, {
    cameras: CAMS,
    lengths: LENGTHS,
    tasks: ['pick the red cube', 'press the button'],
  });
  await rec.close();
  db = await duck();
});

afterAll(() => {
  db?.close();
  rmSync(join(root, '..'), { recursive: true, force: true });
});

describe('recording synthetic episodes (2 cameras, 64x64)', () => {
  it('writes info.json with v3.0 fields, features and encoder settings', () => {
    const info = JSON.parse(readFileSync(join(root, 'meta/info.json'), 'utf8'));
    expect(info.codebase_version).toBe('v3.0');
    expect(info.robot_type).toBe('so101_follower');
    expect(info.fps).toBe(30);
    expect(info.chunks_size).toBe(1000);
    expect(info.total_episodes).toBe(3);
    expect(info.total_frames).toBe(LENGTHS.reduce((a, b) => a + b));
    expect(info.total_tasks).toBe(2);
    expect(info.splits).toEqual({ train: '0:3' });
    expect(info.data_path).toBe('data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet');
    expect(info.video_path).toBe('videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4');
    expect(info.features['observation.state']).toMatchObject({
      dtype: 'float32',
      shape: [6],
      names: JOINTS.map((j) => `${j}.pos`),
    });
    const front = info.features['observation.images.front'];
    expect(front).toMatchObject({
      dtype: 'video',
      shape: [64, 64, 3],
      names: ['height', 'width', 'channels'],
    });
    expect(front.info).toMatchObject({
      'video.codec': 'h264',
      'video.pix_fmt': 'yuv420p',
      'video.g': 2,
      'video.crf': 23,
      'video.fps': 30,
    });
    expect(info.features['next.done'].dtype).toBe('bool');
    expect(info.features.index.dtype).toBe('int64');
  });

  it('data parquet files read by DuckDB have the right columns, dtypes, rows and values', async () => {
    const files = readdirSync(join(root, 'data/chunk-000')).sort();
    expect(files).toEqual(['file-000.parquet', 'file-001.parquet', 'file-002.parquet']);
    const cols = await db.all(
      `DESCRIBE SELECT * FROM read_parquet(${q(join(root, 'data/chunk-000/file-001.parquet'))})`,
    );
    const types = Object.fromEntries(cols.map((c) => [c.column_name, c.column_type]));
    expect(types).toEqual({
      'observation.state': 'FLOAT[]',
      action: 'FLOAT[]',
      'complementary_info.raw_action': 'FLOAT[]',
      'next.reward': 'FLOAT',
      'next.done': 'BOOLEAN',
      timestamp: 'FLOAT',
      frame_index: 'BIGINT',
      episode_index: 'BIGINT',
      index: 'BIGINT',
      task_index: 'BIGINT',
    });
    const all = await db.all(
      `SELECT * FROM read_parquet(${q(join(root, 'data/*/*.parquet'))}) ORDER BY "index"`,
    );
    expect(all.length).toBe(99);
    let e = 0;
    let t = 0;
    for (const [i, row] of all.entries()) {
      expect(Number(row.index)).toBe(i);
      expect(Number(row.episode_index)).toBe(e);
      expect(Number(row.frame_index)).toBe(t);
      expect(row.timestamp as number).toBeCloseTo(t / 30, 6);
      expect(Number(row.task_index)).toBe(e % 2);
      expect(row['observation.state']).toEqual(JOINTS.map((_, j) => stateValue(e, t, j)));
      expect((row.action as number[])[0]).toBeCloseTo(stateValue(e, t, 0) + 0.5, 4);
      expect((row['complementary_info.raw_action'] as number[])[0]).toBeCloseTo(
        stateValue(e, t, 0) + 0.75,
        4,
      );
      const last = t === (LENGTHS[e] as number) - 1;
      expect(row['next.done']).toBe(last);
      expect(row['next.reward']).toBe(last ? 1 : 0);
      if (++t === LENGTHS[e]) {
        e++;
        t = 0;
      }
    }
  });

  it('episodes and tasks tables carry LeRobot columns, per-episode stats and RL labels', async () => {
    const tasks = await db.all(
      `SELECT * FROM read_parquet(${q(join(root, 'meta/tasks.parquet'))}) ORDER BY task_index`,
    );
    expect(tasks.map((r) => [Number(r.task_index), r.task])).toEqual([
      [0, 'pick the red cube'],
      [1, 'press the button'],
    ]);
    const eps = await db.all(
      `SELECT * FROM read_parquet(${q(join(root, 'meta/episodes/chunk-000/file-000.parquet'))}) ORDER BY episode_index`,
    );
    expect(eps.length).toBe(3);
    const required = [
      'episode_index',
      'tasks',
      'length',
      'data/chunk_index',
      'data/file_index',
      'dataset_from_index',
      'dataset_to_index',
      'videos/observation.images.front/chunk_index',
      'videos/observation.images.front/file_index',
      'videos/observation.images.front/from_timestamp',
      'videos/observation.images.front/to_timestamp',
      'videos/observation.images.wrist/to_timestamp',
      'meta/episodes/chunk_index',
      'meta/episodes/file_index',
      'stats/observation.state/min',
      'stats/observation.state/q99',
      'stats/action/mean',
      'stats/observation.images.front/mean',
      'success',
      'source',
      'policy_version',
      'note',
    ];
    for (const c of required) expect(Object.keys(eps[0] as object)).toContain(c);
    let from = 0;
    for (const [i, ep] of eps.entries()) {
      const len = LENGTHS[i] as number;
      expect(Number(ep.length)).toBe(len);
      expect(ep.tasks).toEqual([i % 2 ? 'press the button' : 'pick the red cube']);
      expect(Number(ep.dataset_from_index)).toBe(from);
      expect(Number(ep.dataset_to_index)).toBe(from + len);
      expect(Number(ep['data/file_index'])).toBe(i);
      expect(ep['videos/observation.images.front/to_timestamp'] as number).toBeCloseTo(len / 30, 9);
      expect(ep.success).toBe(i % 2 === 0);
      expect(ep.source).toBe(i === 2 ? 'rollout' : 'demo');
      expect(ep.policy_version).toBe(i === 2 ? 'v1' : null);
      expect(ep.note).toBe(`episode ${i}`);
      const min = ep['stats/observation.state/min'] as number[];
      const max = ep['stats/observation.state/max'] as number[];
      expect(min[2]).toBeCloseTo(stateValue(i, 0, 2), 5);
      expect(max[2]).toBeCloseTo(stateValue(i, len - 1, 2), 5);
      const imgMean = ep['stats/observation.images.front/mean'] as number[][][];
      expect(imgMean.length).toBe(3);
      expect(imgMean[0]?.[0]?.length).toBe(1);
      from += len;
    }
  });

  it('stats.json matches the data (exact min/max/mean/count, per-channel image stats in [0,1])', async () => {
    const stats = JSON.parse(readFileSync(join(root, 'meta/stats.json'), 'utf8'));
    const rows = await db.all(
      `SELECT "observation.state" AS s FROM read_parquet(${q(join(root, 'data/*/*.parquet'))})`,
    );
    const s = stats['observation.state'];
    for (const k of ['min', 'max', 'mean', 'std', 'count', 'q01', 'q10', 'q50', 'q90', 'q99'])
      expect(s).toHaveProperty(k);
    expect(s.count).toEqual([99]);
    for (let j = 0; j < 6; j++) {
      const v = rows.map((r) => (r.s as number[])[j] as number);
      const mean = v.reduce((a, b) => a + b) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      expect(s.min[j]).toBeCloseTo(Math.min(...v), 5);
      expect(s.max[j]).toBeCloseTo(Math.max(...v), 5);
      expect(s.mean[j]).toBeCloseTo(mean, 4);
      expect(s.std[j]).toBeCloseTo(std, 3);
      expect(s.q01[j]).toBeLessThanOrEqual(s.q50[j]);
      expect(s.q50[j]).toBeLessThanOrEqual(s.q99[j]);
    }
    expect(stats.index.max).toEqual([98]);
    const img = stats['observation.images.front'];
    expect(img.mean.length).toBe(3);
    for (const k of ['min', 'max', 'mean', 'std', 'q01', 'q50', 'q99']) {
      for (const ch of img[k]) {
        expect(ch.length).toBe(1);
        expect(ch[0].length).toBe(1);
        expect(ch[0][0]).toBeGreaterThanOrEqual(0);
        expect(ch[0][0]).toBeLessThanOrEqual(1);
      }
    }
    // The background is grey 96 and dominates: the median of every channel is 96/255.
    expect(img.q50[0][0][0]).toBeCloseTo(96 / 255, 2);
    // Squares of pure red/green/blue reach near 0.86..0.9 in some channel.
    expect(Math.max(...img.max.map((c: number[][]) => c[0]?.[0] ?? 0))).toBeGreaterThan(0.8);
  });

  it('every mp4 is H.264 yuv420p with one frame per data row (ffprobe)', () => {
    for (const cam of ['front', 'wrist']) {
      for (const [i, len] of LENGTHS.entries()) {
        const p = ffprobe(join(root, `videos/observation.images.${cam}/chunk-000/file-00${i}.mp4`));
        expect(p.codec_name).toBe('h264');
        expect(p.pix_fmt).toBe('yuv420p');
        expect(Number(p.nb_read_frames)).toBe(len);
      }
    }
  });

  it('reads back: filters, frames, decoded video close to what was recorded', async () => {
    const ds = await DatasetReader.open(root);
    expect(ds.listEpisodes().map((e) => e.index)).toEqual([0, 1, 2]);
    expect(ds.listEpisodes({ task: 'press the button' }).map((e) => e.index)).toEqual([1]);
    expect(ds.listEpisodes({ success: true }).map((e) => e.index)).toEqual([0, 2]);
    expect(ds.listEpisodes({ source: 'rollout' }).map((e) => e.index)).toEqual([2]);
    expect(ds.listEpisodes({ policyVersion: 'v1' }).map((e) => e.index)).toEqual([2]);
    const ep = await ds.loadEpisode(1);
    expect(ep.length).toBe(45);
    expect(ep.state[10]).toEqual(JOINTS.map((_, j) => stateValue(1, 10, j)));
    expect(ep.done?.[44]).toBe(true);
    const frames = await ds.loadVideoFrames(1, 'wrist');
    expect(frames.length).toBe(45);
    const part = await ds.loadVideoFrames(1, 'front', { from: 10 / 30, to: 20 / 30 });
    expect(part.length).toBe(10);
    // Frame 10 decoded from the middle of the file matches the pattern frame 10, not 9 or 11.
    const err = (a: Uint8Array, b: Uint8Array): number => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
      return s / a.length;
    };
    const got = part[0]?.data as Uint8Array;
    const e10 = err(got, testPatternFrame(64, 64, 10, 0).data);
    expect(e10).toBeLessThan(6);
    expect(e10).toBeLessThan(err(got, testPatternFrame(64, 64, 13, 0).data));
  });

  it('validateDataset finds no problems, and finds a broken total', async () => {
    expect(await validateDataset(root)).toEqual([]);
    const copy = `${root}-broken`;
    cpSync(root, copy, { recursive: true });
    const info = JSON.parse(readFileSync(join(copy, 'meta/info.json'), 'utf8'));
    info.total_frames += 1;
    writeFileSync(join(copy, 'meta/info.json'), JSON.stringify(info));
    rmSync(join(copy, 'videos/observation.images.wrist/chunk-000/file-001.mp4'));
    const problems = await validateDataset(copy);
    expect(problems.map((p) => p.file)).toEqual([
      'meta/info.json',
      'videos/observation.images.wrist/chunk-000/file-001.mp4',
    ]);
    expect(problems[0]?.message).toMatch(/total_frames is 100 but episodes sum to 99/);
  });
});
