import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DatasetReader } from '../../core/data/reader';
import { RecordingSession } from '../../core/data/recorder';
import { validateDataset } from '../../core/data/validate';
import { duck, JOINTS } from './helpers';

const base = mkdtempSync(join(tmpdir(), 'pushcut-meta-split-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const robot = { joints: JOINTS, robotType: 'so101_follower', cameras: [] };
const table = (root: string, file: number) =>
  join(root, `meta/episodes/chunk-000/file-${String(file).padStart(3, '0')}.parquet`);

async function episode(rec: RecordingSession, e: number): Promise<void> {
  rec.startEpisode({ task: `task ${e % 3}`, source: 'rollout', policyVersion: '1' });
  for (let t = 0; t < 2; t++)
    rec.addFrame({ state: [e, t, 0, 0, 0, 0], action: [e, t, 0, 0, 0, 1], images: {} });
  await rec.endEpisode({ success: e % 2 === 0 }, { metaLater: true });
}

it('the episodes table is split into files of 1000 rows; appending rewrites only the last, deletes shrink it, stats stay exact', async () => {
  const root = join(base, 'ds');
  const rec = await RecordingSession.open({ root, robot });
  for (let e = 0; e < 1001; e++) {
    await episode(rec, e);
    if (e % 250 === 249) rec.flushMeta();
  }
  rec.flushMeta();
  const first = statSync(table(root, 0)).ino;
  await episode(rec, 1001);
  rec.flushMeta();
  expect(statSync(table(root, 0)).ino).toBe(first); // the full file was not rewritten
  const db = await duck();
  const files = await db.all(
    `SELECT "meta/episodes/file_index" AS f, count(*) AS n, min(episode_index) AS lo, max(episode_index) AS hi
     FROM read_parquet('${root}/meta/episodes/*/*.parquet') GROUP BY f ORDER BY f`,
  );
  expect(files.map((r) => [Number(r.f), Number(r.n), Number(r.lo), Number(r.hi)])).toEqual([
    [0, 1000, 0, 999],
    [1, 2, 1000, 1001],
  ]);
  db.close();

  // Incrementally aggregated stats equal a full recomputation (what a fresh open does).
  const incremental = JSON.parse(readFileSync(join(root, 'meta/stats.json'), 'utf8'));
  await rec.close();
  const reopened = await RecordingSession.open({ root, robot });
  await reopened.deleteEpisode(995); // 1001 episodes left: file-001 holds one row
  expect(existsSync(table(root, 1))).toBe(true);
  const full = JSON.parse(readFileSync(join(root, 'meta/stats.json'), 'utf8'));
  expect(full['observation.state'].count).toEqual([2002]);
  const [m0, m1] = incremental['observation.state'].mean as [number, number];
  const [f0, f1] = full['observation.state'].mean as [number, number];
  // Deleting episode 995 (state[0] = 995) of 0..1001 shifts the mean of state[0] by (mean - 995) / 1001.
  expect(f0).toBeCloseTo(m0 + (m0 - 995) / 1001, 9);
  expect(f1).toBeCloseTo(m1, 12);

  // A crash in the next delete after the first table file was rewritten, before the second went:
  // file-001 still holds a row of the old numbering. Reopening finishes the delete.
  const stale = join(base, 'stale.parquet');
  copyFileSync(table(root, 1), stale);
  await reopened.deleteEpisode(990);
  expect(existsSync(table(root, 1))).toBe(false);
  await reopened.close();
  copyFileSync(stale, table(root, 1));
  writeFileSync(
    join(root, 'meta/pending-delete.json'),
    JSON.stringify({ episode_index: 990, data: { chunk: 0, file: 990 } }), // its own data file
  );
  const again = await RecordingSession.open({ root, robot });
  expect(again.recovery.finishedDelete).toBe(990);
  await episode(again, 2000); // appends as episode 1000, in a new file-001
  await again.close();
  expect(await validateDataset(root)).toEqual([]);
  const ds = await DatasetReader.open(root);
  const eps = ds.listEpisodes();
  expect(eps.map((e) => e.index)).toEqual(Array.from({ length: 1001 }, (_, i) => i));
  expect((await ds.loadEpisode(1000)).state[0]?.[0]).toBe(2000);
  expect((await ds.loadEpisode(999)).state[0]?.[0]).toBe(1001);
});
