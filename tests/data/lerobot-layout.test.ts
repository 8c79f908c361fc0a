import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetReader } from '../../core/data/reader';
import { validateDataset } from '../../core/data/validate';
import { duck, JOINTS, recordSynthetic, stateValue } from './helpers';

// LeRobot's own layout concatenates episodes into one data file and one mp4 per camera, with
// each episode's span given by from/to_timestamp. Build one from a recorded dataset with
// DuckDB and ffmpeg (independent tools), then read it.
const LENGTHS = [12, 18, 15];
const base = mkdtempSync(join(tmpdir(), 'pushcut-data-lerobot-'));
const ours = join(base, 'ours');
const theirs = join(base, 'theirs');

beforeAll(async () => {
  const rec = await recordSynthetic(ours, {
    cameras: [{ name: 'front', width: 64, height: 64 }],
    lengths: LENGTHS,
  });
  await rec.close();
  mkdirSync(join(theirs, 'data/chunk-000'), { recursive: true });
  mkdirSync(join(theirs, 'meta/episodes/chunk-000'), { recursive: true });
  mkdirSync(join(theirs, 'videos/observation.images.front/chunk-000'), { recursive: true });
  for (const f of ['meta/info.json', 'meta/stats.json', 'meta/tasks.parquet'])
    cpSync(join(ours, f), join(theirs, f));
  const db = await duck();
  await db.all(
    `COPY (SELECT * FROM read_parquet('${ours}/data/*/*.parquet') ORDER BY "index") TO '${theirs}/data/chunk-000/file-000.parquet' (FORMAT parquet, COMPRESSION snappy)`,
  );
  const v = 'videos/observation.images.front';
  await db.all(
    `COPY (SELECT * EXCLUDE (success, source, policy_version, note, tags, recorded_at) REPLACE (
        0 AS "data/file_index", 0 AS "${v}/file_index",
        dataset_from_index / 30.0 AS "${v}/from_timestamp", dataset_to_index / 30.0 AS "${v}/to_timestamp")
      FROM read_parquet('${ours}/meta/episodes/chunk-000/file-000.parquet') ORDER BY episode_index)
     TO '${theirs}/meta/episodes/chunk-000/file-000.parquet' (FORMAT parquet)`,
  );
  db.close();
  const list = LENGTHS.map((_, i) => `file '${ours}/${v}/chunk-000/file-00${i}.mp4'`).join('\n');
  writeFileSync(join(base, 'list.txt'), list);
  const r = spawnSync('ffmpeg', [
    ...['-v', 'error', '-f', 'concat', '-safe', '0', '-i', join(base, 'list.txt')],
    ...['-c', 'copy', join(theirs, v, 'chunk-000/file-000.mp4')],
  ]);
  if (r.status !== 0) throw new Error(`ffmpeg concat failed: ${r.stderr}`);
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('reading LeRobot’s concatenated-file layout', () => {
  it('lists episodes, loads rows by episode and decodes video by timestamp span', async () => {
    const ds = await DatasetReader.open(theirs);
    expect(ds.listEpisodes().map((e) => [e.index, e.length, e.source])).toEqual([
      [0, 12, null],
      [1, 18, null],
      [2, 15, null],
    ]);
    const ep = await ds.loadEpisode(2);
    expect(ep.length).toBe(15);
    expect(ep.state[4]).toEqual(JOINTS.map((_, j) => stateValue(2, 4, j)));
    const mine = await (await DatasetReader.open(ours)).loadVideoFrames(1, 'front');
    const cat = await ds.loadVideoFrames(1, 'front');
    expect(cat.length).toBe(18);
    // Same bitstream, so the decoded frames of episode 1 are the same bytes.
    expect(Buffer.from(cat[0]?.data as Uint8Array).equals(Buffer.from(mine[0]?.data as Uint8Array))).toBe(
      true,
    );
    expect(Buffer.from(cat[17]?.data as Uint8Array).equals(Buffer.from(mine[17]?.data as Uint8Array))).toBe(
      true,
    );
    expect(await validateDataset(theirs)).toEqual([]);
  });
});
