import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetWriter } from '../../core/data/dataset-writer';
import { DatasetReader } from '../../core/data/reader';
import { RecordingSession } from '../../core/data/recorder';
import { testPatternFrame } from '../../core/data/test-pattern';
import { validateDataset } from '../../core/data/validate';
import { duck, ffprobe, JOINTS, recordSynthetic, stateValue } from './helpers';

const base = mkdtempSync(join(tmpdir(), 'pushcut-data-life-'));
const CAMS = [
  { name: 'front', width: 64, height: 64 },
  { name: 'wrist', width: 64, height: 64 },
];
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('editing episodes', () => {
  it('relabel persists on disk and is visible to a fresh reader', async () => {
    const root = join(base, 'relabel');
    const rec = await recordSynthetic(root, { cameras: CAMS, lengths: [10, 12] });
    rec.setEpisodeLabel(1, { success: true, note: 'operator says fine', tags: ['pushcut?', 'fast'] });
    await rec.close();
    const ds = await DatasetReader.open(root);
    const e1 = ds.listEpisodes()[1];
    expect(e1).toMatchObject({ success: true, note: 'operator says fine', tags: ['pushcut?', 'fast'] });
    expect(ds.listEpisodes({ tag: 'fast' }).map((e) => e.index)).toEqual([1]);
    expect(await validateDataset(root)).toEqual([]);
  });

  it('delete re-indexes later episodes so the dataset stays contiguous and valid', async () => {
    const root = join(base, 'delete');
    const rec = await recordSynthetic(root, { cameras: CAMS, lengths: [10, 12, 14, 8] });
    await rec.deleteEpisode(1);
    const ds = await DatasetReader.open(root);
    expect(ds.listEpisodes().map((e) => [e.index, e.length])).toEqual([
      [0, 10],
      [1, 14],
      [2, 8],
    ]);
    expect(ds.info.total_episodes).toBe(3);
    expect(ds.info.total_frames).toBe(32);
    // The former episode 2 keeps its own frames (state encodes the original episode number).
    const ep = await ds.loadEpisode(1);
    expect(ep.state[3]).toEqual(JOINTS.map((_, j) => stateValue(2, 3, j)));
    expect(ep.columns.index?.[0]).toBe(10);
    expect(await validateDataset(root)).toEqual([]);
    const db = await duck();
    const rows = await db.all(
      `SELECT episode_index, min("index") AS lo, max("index") AS hi, count(*) AS n FROM read_parquet('${root}/data/*/*.parquet') GROUP BY episode_index ORDER BY episode_index`,
    );
    db.close();
    expect(rows.map((r) => [Number(r.episode_index), Number(r.lo), Number(r.hi), Number(r.n)])).toEqual([
      [0, 0, 9, 10],
      [1, 10, 23, 14],
      [2, 24, 31, 8],
    ]);
    // Files of the deleted episode are gone; a new episode continues after the last.
    expect(existsSync(join(root, 'data/chunk-000/file-001.parquet'))).toBe(false);
    rec.startEpisode({ task: 'again' });
    for (let t = 0; t < 5; t++) {
      rec.addFrame({ state: [1, 2, 3, 4, 5, 6], action: [1, 2, 3, 4, 5, 6], images: frames(t) });
    }
    expect(await rec.endEpisode()).toBe(3);
    await rec.close();
    expect(await validateDataset(root)).toEqual([]);
  });

  it('discardEpisode leaves nothing behind', async () => {
    const root = join(base, 'discard');
    const rec = await recordSynthetic(root, { cameras: CAMS, lengths: [6] });
    rec.startEpisode({ task: 'oops' });
    for (let t = 0; t < 5; t++)
      rec.addFrame({ state: JOINTS.map(() => 0), action: JOINTS.map(() => 0), images: frames(t) });
    await rec.discardEpisode();
    rec.startEpisode({ task: 'retry' });
    for (let t = 0; t < 7; t++)
      rec.addFrame({ state: JOINTS.map(() => 0), action: JOINTS.map(() => 0), images: frames(t) });
    expect(await rec.endEpisode()).toBe(1);
    await rec.close();
    const ds = await DatasetReader.open(root);
    expect(ds.listEpisodes().map((e) => e.length)).toEqual([6, 7]);
    expect(ds.tasks).toEqual(['pick the red cube', 'retry']);
    expect(await validateDataset(root)).toEqual([]);
  });
});

function frames(t: number) {
  return { front: testPatternFrame(64, 64, t), wrist: testPatternFrame(64, 64, t, 1) };
}

describe('640x480 camera', () => {
  it('records and decodes a VGA episode', async () => {
    const root = join(base, 'vga');
    const rec = await recordSynthetic(root, {
      cameras: [{ name: 'front', width: 640, height: 480 }],
      lengths: [20],
    });
    await rec.close();
    const p = ffprobe(join(root, 'videos/observation.images.front/chunk-000/file-000.mp4'));
    expect(p).toEqual({ codec_name: 'h264', pix_fmt: 'yuv420p', nb_read_frames: '20' });
    const ds = await DatasetReader.open(root);
    const f = await ds.loadVideoFrames(0, 'front', { from: 5 / 30, to: 8 / 30 });
    expect(f.map((x) => [x.width, x.height])).toEqual([
      [640, 480],
      [640, 480],
      [640, 480],
    ]);
    expect(ds.info.features['observation.images.front']?.shape).toEqual([480, 640, 3]);
    expect(await validateDataset(root)).toEqual([]);
  });
});

describe('crash safety', () => {
  it('SIGKILL mid-episode: completed episodes intact, partial one discarded and reported', async () => {
    const root = join(base, 'killed');
    const child = spawn('npx', ['tsx', join(__dirname, 'fixtures/record-forever.ts'), root], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let committed = -1;
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const killedDuring = await new Promise<number>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (b: Buffer) => {
        buf += b.toString();
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          nl = buf.indexOf('\n');
          const m = /^(committed|recording) (\d+)(?: (\d+))?$/.exec(line);
          if (!m) continue;
          if (m[1] === 'committed') committed = Number(m[2]);
          if (m[1] === 'recording' && committed >= 2 && Number(m[3]) === 9) {
            // The tsx wrapper's child is the node process; kill the whole group.
            process.kill(-(child.pid as number), 'SIGKILL');
            resolve(Number(m[2]));
          }
        }
      });
      child.on('exit', (code) => reject(new Error(`recorder exited early (${code}): ${stderr}`)));
    }).catch((err) => {
      throw err;
    });
    await new Promise((r) =>
      child.exitCode !== null || child.signalCode ? r(null) : child.once('close', r),
    );
    expect(killedDuring).toBe(committed + 1);
    // The killed episode left its in-progress marker (and, if ffmpeg got that far, .partial videos).
    expect(JSON.parse(readFileSync(join(root, 'meta/recording.json'), 'utf8')).episode_index).toBe(
      killedDuring,
    );

    const rec = await RecordingSession.open({
      root,
      robot: { joints: ['a', 'b', 'c'], robotType: 'test_arm', cameras: CAMS },
    });
    expect(rec.recovery.discarded.map((d) => d.episodeIndex)).toEqual([killedDuring]);
    expect(rec.recovery.message).toMatch(new RegExp(`Discarded unfinished episode ${killedDuring}`));
    expect(rec.recovery.removedFiles.every((f) => f.endsWith('.partial'))).toBe(true);
    expect(existsSync(join(root, 'meta/recording.json'))).toBe(false);
    await rec.close();
    expect(await validateDataset(root)).toEqual([]);
    const ds = await DatasetReader.open(root);
    expect(ds.listEpisodes().length).toBe(committed + 1);
    for (const e of ds.listEpisodes()) {
      expect(e.length).toBe(20);
      const d = await ds.loadEpisode(e.index);
      expect(d.state[19]).toEqual([e.index, 19, 0]);
      expect((await ds.loadVideoFrames(e.index, 'front')).length).toBe(20);
    }
  }, 120_000);

  it('an episode whose files were all written before the crash is recovered', async () => {
    const root = join(base, 'recover');
    const rec = await recordSynthetic(root, { cameras: CAMS, lengths: [8, 9] });
    await rec.close();
    // Simulate dying right after the files were in place but before the episodes table rename.
    const probe = await RecordingSession.open({
      root,
      robot: { joints: JOINTS, robotType: 'so101_follower', cameras: CAMS },
    });
    await probe.close();
    const { writer } = await DatasetWriter.open(root, probe.spec);
    const last = writer.episodes.pop();
    if (!last) throw new Error('no episode');
    writer.writePending(last);
    writer.writeMeta();
    writer.close();
    const reopened = await RecordingSession.open({
      root,
      robot: { joints: JOINTS, robotType: 'so101_follower', cameras: CAMS },
    });
    expect(reopened.recovery.recovered).toEqual([1]);
    expect(reopened.recovery.message).toMatch(/Recovered episode\(s\) 1/);
    await reopened.close();
    expect(await validateDataset(root)).toEqual([]);
    expect((await DatasetReader.open(root)).listEpisodes().map((e) => e.length)).toEqual([8, 9]);
  });
});

describe('deferred meta commits (RL rollouts)', () => {
  it('episodes ended with metaLater appear at flushMeta, and a crash before it recovers them', async () => {
    const root = join(base, 'meta-later');
    const robot = { joints: JOINTS, robotType: 'so101_follower', cameras: [] };
    const rec = await RecordingSession.open({ root, robot });
    const episode = async (len: number) => {
      rec.startEpisode({ task: 'push the cube', source: 'rollout', policyVersion: '1' });
      for (let t = 0; t < len; t++)
        rec.addFrame({ state: [t, 0, 0, 0, 0, 0], action: [t, 0, 0, 0, 0, 1], images: {} });
      return rec.endEpisode({ success: len % 2 === 0 }, { metaLater: true });
    };
    expect([await episode(4), await episode(5), await episode(6)]).toEqual([0, 1, 2]);
    expect((await DatasetReader.open(root)).listEpisodes()).toHaveLength(0);
    rec.flushMeta();
    expect((await DatasetReader.open(root)).listEpisodes().map((e) => e.length)).toEqual([4, 5, 6]);
    await episode(7);
    await episode(8);
    // The app dies: meta/ still lists three episodes; nothing is flushed or closed.
    (rec as unknown as { writer: DatasetWriter }).writer.close();
    const reopened = await RecordingSession.open({ root, robot });
    expect(reopened.recovery.recovered).toEqual([3, 4]);
    await reopened.close();
    expect(await validateDataset(root)).toEqual([]);
    const ds = await DatasetReader.open(root);
    expect(ds.listEpisodes().map((e) => [e.length, e.success])).toEqual([
      [4, true],
      [5, false],
      [6, true],
      [7, false],
      [8, true],
    ]);
    expect((await ds.loadEpisode(4)).state[7]?.[0]).toBe(7);
  });
});

describe('crash during delete', () => {
  it('a delete interrupted after its journal was written is finished on the next open', async () => {
    const root = join(base, 'delete-crash');
    const rec = await recordSynthetic(root, { cameras: CAMS, lengths: [6, 7, 8] });
    await rec.close();
    // What deleteEpisode(0) writes first; the crash happens before any file was touched.
    writeFileSync(
      join(root, 'meta/pending-delete.json'),
      JSON.stringify({ episode_index: 0, data: { chunk: 0, file: 0 } }),
    );
    const again = await RecordingSession.open({
      root,
      robot: { joints: JOINTS, robotType: 'so101_follower', cameras: CAMS },
    });
    expect(again.recovery.finishedDelete).toBe(0);
    expect(again.recovery.message).toMatch(/Finished deleting episode 0/);
    await again.close();
    expect(existsSync(join(root, 'meta/pending-delete.json'))).toBe(false);
    const ds = await DatasetReader.open(root);
    expect(ds.listEpisodes().map((e) => e.length)).toEqual([7, 8]);
    expect((await ds.loadEpisode(0)).state[0]).toEqual(JOINTS.map((_, j) => stateValue(1, 0, j)));
    expect(await validateDataset(root)).toEqual([]);
  });
});

describe('errors a user can act on', () => {
  it('a v2.1 dataset says it is v2.1 and how to convert it', async () => {
    const root = join(base, 'old');
    mkdirSync(join(root, 'meta'), { recursive: true });
    writeFileSync(
      join(root, 'meta/info.json'),
      JSON.stringify({ codebase_version: 'v2.1', fps: 30, features: {} }),
    );
    writeFileSync(join(root, 'meta/episodes.jsonl'), '{"episode_index":0}\n');
    await expect(DatasetReader.open(root)).rejects.toThrow(/v2\.1.*convert_dataset_v21_to_v30/s);
    expect(await validateDataset(root)).toEqual([{ file: 'meta', message: expect.stringMatching(/v2\.1/) }]);
  });

  it('a missing or corrupt meta file is named', async () => {
    const root = join(base, 'corrupt');
    const rec = await recordSynthetic(root, { cameras: CAMS, lengths: [5] });
    await rec.close();
    writeFileSync(join(root, 'meta/episodes/chunk-000/file-000.parquet'), 'not parquet');
    await expect(DatasetReader.open(root)).rejects.toThrow(
      /Corrupt parquet file .*meta\/episodes\/chunk-000\/file-000\.parquet/,
    );
    writeFileSync(join(root, 'meta/info.json'), '{"codebase_version": "v3.0", ');
    await expect(DatasetReader.open(root)).rejects.toThrow(/meta\/info\.json is corrupt/);
    rmSync(join(root, 'meta/info.json'));
    await expect(DatasetReader.open(root)).rejects.toThrow(/meta\/info\.json is missing/);
  });

  it('an unwritable dataset folder stops recording with a clear message', async () => {
    const blocker = join(base, 'a-file');
    writeFileSync(blocker, 'x');
    await expect(
      RecordingSession.open({
        root: join(blocker, 'dataset'),
        robot: { joints: JOINTS, robotType: 'x', cameras: CAMS },
      }),
    ).rejects.toThrow(/a file is in the way where a folder should be.*Choose another dataset folder/);
    // A place even root cannot write (chmod does not stop root, sysfs does).
    await expect(
      RecordingSession.open({
        root: '/sys/pushcut-dataset',
        robot: { joints: JOINTS, robotType: 'x', cameras: CAMS },
      }),
    ).rejects.toThrow(/(not writable|Could not create the folder).*\/sys\/pushcut-dataset/);
  });

  it('a folder that turns unwritable mid-session stops recording with a clear message', async () => {
    const root = join(base, 'midway');
    const rec = await recordSynthetic(root, { cameras: CAMS, lengths: [5], prewarmEncoders: false });
    // Put a file where the next episode's video chunk folder must go.
    rmSync(join(root, 'videos/observation.images.wrist'), { recursive: true });
    writeFileSync(join(root, 'videos/observation.images.wrist'), 'blocked');
    expect(() => rec.startEpisode({ task: 't' })).toThrow(
      /Recording stopped: Could not create the folder .*a file is in the way/,
    );
    expect(rec.progress().state).toBe('error');
    expect(rec.progress().error).toMatch(/a file is in the way/);
    await rec.close();
    // What was committed before is intact.
    expect((await DatasetReader.open(root)).listEpisodes().length).toBe(1);
    expect(readFileSync(join(root, 'meta/info.json'), 'utf8')).toContain('"total_episodes": 1');
  });

  it('a full disk while encoding video stops recording with a clear message; the dataset stays valid', async () => {
    const root = join(base, 'full');
    const rec = await recordSynthetic(root, { cameras: CAMS, lengths: [5], prewarmEncoders: false });
    // The next episode's video goes to file-001.mp4.partial: point it at /dev/full (ENOSPC).
    symlinkSync('/dev/full', join(root, 'videos/observation.images.front/chunk-000/file-001.mp4.partial'));
    rec.startEpisode({ task: 'doomed' });
    let failure: unknown = null;
    try {
      for (let t = 0; t < 20; t++) {
        rec.addFrame({ state: JOINTS.map(() => 0), action: JOINTS.map(() => 0), images: frames(t) });
        await new Promise((r) => setTimeout(r, 5));
      }
      await rec.endEpisode();
    } catch (err) {
      failure = err;
    }
    expect(String(failure)).toMatch(/Recording stopped: The disk is full.*Free some disk space/);
    expect(rec.progress().state).toBe('error');
    await rec.close();
    expect((await DatasetReader.open(root)).listEpisodes().length).toBe(1);
    const again = await RecordingSession.open({
      root,
      robot: { joints: JOINTS, robotType: 'so101_follower', cameras: CAMS },
    });
    await again.close();
    expect(await validateDataset(root)).toEqual([]);
  });

  it('a full disk while writing the episode data stops recording with a clear message', async () => {
    const root = join(base, 'full-data');
    const rec = await recordSynthetic(root, { cameras: CAMS, lengths: [5] });
    symlinkSync('/dev/full', join(root, `data/chunk-000/file-001.parquet.tmp-${process.pid}`));
    rec.startEpisode({ task: 'doomed' });
    for (let t = 0; t < 5; t++)
      rec.addFrame({ state: JOINTS.map(() => 0), action: JOINTS.map(() => 0), images: frames(t) });
    await expect(rec.endEpisode()).rejects.toThrow(/The disk is full: could not write .*file-001\.parquet/);
    await rec.close();
    const again = await RecordingSession.open({
      root,
      robot: { joints: JOINTS, robotType: 'so101_follower', cameras: CAMS },
    });
    expect(again.recovery.discarded.map((d) => d.episodeIndex)).toEqual([1]);
    await again.close();
    expect(await validateDataset(root)).toEqual([]);
    expect((await DatasetReader.open(root)).listEpisodes().length).toBe(1);
  });
});
