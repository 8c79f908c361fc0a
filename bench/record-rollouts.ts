/**
 * Recording RL rollouts (state-only episodes, as the RL headline writes them) into one dataset:
 * meta/ rewritten once per batch (`endEpisode(..., { metaLater: true })` + `flushMeta()`, what
 * DatasetRolloutRecorder does) vs once per episode (the baseline: what a plain endEpisode does).
 * Rewriting the episodes table and stats costs time in proportion to the episodes already in the
 * dataset, so the per-episode cost of the baseline grows as a run goes on.
 *
 *   npx tsx bench/record-rollouts.ts [--episodes 1200] [--frames 150] [--batch 64]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingSession } from '../core/data/recorder';
import { SO101_JOINTS } from '../core/hardware/robot';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const EPISODES = arg('episodes', 1200);
const FRAMES = arg('frames', 150);
const BATCH = arg('batch', 64);
const WINDOW = 100;

/** Milliseconds per episode over the first and the last WINDOW episodes, and in total. */
async function run(metaLater: boolean): Promise<{ first: number; last: number; total: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pushcut-bench-rollouts-'));
  const rec = await RecordingSession.open({
    root: join(dir, 'ds'),
    fps: 30,
    robot: { joints: [...SO101_JOINTS], cameras: [], robotType: 'so101_sim' },
  });
  const times: number[] = [];
  const t0 = performance.now();
  for (let e = 0; e < EPISODES; e++) {
    const t = performance.now();
    rec.startEpisode({ task: `task ${e % 6}`, source: 'rollout', policyVersion: String(e >> 6) });
    for (let f = 0; f < FRAMES; f++) {
      const q = SO101_JOINTS.map((_, j) => Math.sin(e + f / 10 + j));
      rec.addFrame({ state: q, action: q, images: {}, reward: f === FRAMES - 1 ? e % 2 : 0 });
    }
    await rec.endEpisode({ success: e % 2 === 1 }, { metaLater });
    if (metaLater && (e + 1) % BATCH === 0) rec.flushMeta();
    times.push(performance.now() - t);
  }
  await rec.close();
  const total = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { first: mean(times.slice(0, WINDOW)), last: mean(times.slice(-WINDOW)), total };
}

const perEpisode = await run(false);
const perBatch = await run(true);
console.log(
  `\nRecording ${EPISODES} state-only rollout episodes of ${FRAMES} frames into one dataset (6 joints)`,
);
console.log(
  `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model}), load average ${loadavg()[0]?.toFixed(1)} at the end\n`,
);
console.log(
  `| meta/ rewritten | ms per episode, first ${WINDOW} | ms per episode, last ${WINDOW} | total (s) | speed-up (total) |`,
);
console.log('|---|---:|---:|---:|---:|');
const row = (name: string, r: typeof perEpisode) =>
  console.log(
    `| ${name} | ${r.first.toFixed(1)} | ${r.last.toFixed(1)} | ${(r.total / 1000).toFixed(1)} | ${(perEpisode.total / r.total).toFixed(2)}x |`,
  );
row('after every episode (baseline)', perEpisode);
row(`once per batch of ${BATCH} (DatasetRolloutRecorder)`, perBatch);
