/**
 * The labelled check from the brief, on the real simulator: grasp demonstrations (train split) are
 * the reference; held-out grasping successes must not be flagged, pushing successes must be.
 * Precision and recall of "novel success" against the pusher label are printed and asserted >= 0.9.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushcutTracker } from '../../../core/rl/pushcut/tracker';
import type { PushcutFrame } from '../../../core/rl/pushcut/types';
import type { TaskEnv } from '../../../core/sim/env';
import { openEnv, runEpisode, type SimEpisode } from './sim-episodes';

const NOISE = [0, 0.5, 1, 1.5];
let env: TaskEnv | undefined;
const train: SimEpisode[] = [];
const heldOut: SimEpisode[] = [];
const pushes: SimEpisode[] = [];
/** Rollouts as a sampled policy would produce them: 1 deg arm noise, gripper command noise std 15. */
const noisyHeldOut: SimEpisode[] = [];
const noisyPushes: SimEpisode[] = [];
const drags: SimEpisode[] = [];

beforeAll(async () => {
  env = await openEnv();
  for (let i = 0; i < 12; i++) train.push(runEpisode(env, 'grasp', 1000 + i, NOISE[i % 4] ?? 0));
  for (let i = 0; i < 12; i++) heldOut.push(runEpisode(env, 'grasp', 2000 + i, NOISE[(i + 1) % 4] ?? 0));
  for (let i = 0; i < 12; i++) pushes.push(runEpisode(env, 'push', 3000 + i, NOISE[(i + 2) % 4] ?? 0));
  for (let i = 0; i < 10; i++) noisyHeldOut.push(runEpisode(env, 'grasp', 4000 + i, 1, 15));
  for (let i = 0; i < 8; i++) noisyPushes.push(runEpisode(env, 'push', 5000 + i, 1, 15));
  for (let i = 0; i < 6; i++) drags.push(runEpisode(env, 'drag', 6000 + i, NOISE[i % 4] ?? 0, 0, 40));
}, 120_000);

afterAll(() => env?.close());

interface Scores {
  precision: number;
  recall: number;
  tp: number;
  fp: number;
  fn: number;
}

function evaluate(
  convert: (f: PushcutFrame[]) => PushcutFrame[],
  label: string,
  grasps: SimEpisode[] = heldOut,
  pushing: SimEpisode[] = pushes,
) {
  const demos = train.filter((e) => e.success).map((e) => ({ id: e.id, frames: convert(e.frames) }));
  const tracker = new PushcutTracker({ demos });
  // RL-like order: grasp-like successes early, the pushing strategy appears from step 3 on.
  const rollouts = [
    ...grasps.map((e, i) => ({ e, rlStep: i % 6 })),
    ...pushing.map((e, i) => ({ e, rlStep: 3 + (i % 3) })),
  ].sort((a, b) => a.rlStep - b.rlStep);
  for (const { e, rlStep } of rollouts) {
    tracker.observe({ id: e.id, rlStep, success: e.success, frames: convert(e.frames) });
  }
  const report = tracker.report();
  const byId = new Map(report.episodes.map((r) => [r.id, r]));
  const s: Scores = { precision: 0, recall: 0, tp: 0, fp: 0, fn: 0 };
  for (const { e } of rollouts) {
    if (!e.success) continue;
    const flagged = byId.get(e.id)?.novel === true;
    if (flagged && e.label === 'push') s.tp++;
    if (flagged && e.label === 'grasp') s.fp++;
    if (!flagged && e.label === 'push') s.fn++;
  }
  s.precision = s.tp + s.fp === 0 ? 0 : s.tp / (s.tp + s.fp);
  s.recall = s.tp + s.fn === 0 ? 0 : s.tp / (s.tp + s.fn);
  const c = tracker.calibration;
  console.log(
    `[pushcut sim ${label}] demos=${c.demoCount} threshold=${c.threshold.toFixed(3)} ` +
      `(LOO max ${Math.max(...c.leaveOneOut).toFixed(3)}) clusterCut=${c.clusterCut.toFixed(3)} ` +
      `held-out grasp successes=${grasps.filter((e) => e.success).length} push successes=${pushing.filter((e) => e.success).length} ` +
      `TP=${s.tp} FP=${s.fp} FN=${s.fn} precision=${s.precision.toFixed(3)} recall=${s.recall.toFixed(3)} ` +
      `pushcuts=${JSON.stringify(report.pushcuts.map((p) => `${p.name} x${p.successes} from step ${p.firstSeenStep}`))}`,
  );
  return { s, report, tracker };
}

describe('pushcut tracker on simulator episodes (red_cube_to_green_zone)', () => {
  it('has enough successful episodes of each kind to measure', () => {
    expect(train.filter((e) => e.success).length).toBeGreaterThanOrEqual(8);
    expect(heldOut.filter((e) => e.success).length).toBeGreaterThanOrEqual(8);
    expect(pushes.filter((e) => e.success).length).toBeGreaterThanOrEqual(8);
  });

  it('flags pushing successes and not held-out grasping successes (contacts evidence)', () => {
    const { s, report, tracker } = evaluate((f) => f, 'contacts');
    expect(tracker.calibration.evidence).toBe('contacts');
    expect(s.precision).toBeGreaterThanOrEqual(0.9);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    const push = report.pushcuts.find((p) => p.name === 'push without grasp');
    expect(push, JSON.stringify(report.strategies.map((x) => x.name))).toBeDefined();
    expect(push?.firstSeenStep).toBe(3);
    expect(push?.bestEpisodes.every((id) => id.startsWith('push-'))).toBe(true);
    for (const g of heldOut) expect(report.tags[g.id]).toBeUndefined();
  });

  it('does the same from joints and gripper alone, as on a physical arm (FK path, stalled-jaw grasps)', () => {
    const { s, report, tracker } = evaluate((f) => f.map((x) => ({ state: x.state })), 'joints-only');
    expect(tracker.calibration.evidence).toBe('joints');
    expect(tracker.calibration.pathSource).toBe('fk');
    expect(s.precision).toBeGreaterThanOrEqual(0.9);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    expect(report.pushcuts.map((p) => p.name)).toContain('sweep without grasp');
  });

  it('keeps both scores with sampled-policy noise on the rollouts (twitching gripper, shaky arm)', () => {
    expect(noisyHeldOut.filter((e) => e.success).length).toBeGreaterThanOrEqual(6);
    expect(noisyPushes.filter((e) => e.success).length).toBeGreaterThanOrEqual(5);
    const { s, report } = evaluate((f) => f, 'contacts, noisy rollouts', noisyHeldOut, noisyPushes);
    expect(s.precision).toBeGreaterThanOrEqual(0.9);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    expect(report.pushcuts.map((p) => p.name)).toEqual(['push without grasp']);
  });

  it('tells a third strategy apart and names it: grasp, slide along the table, release', () => {
    const demos = train.filter((e) => e.success).map((e) => ({ id: e.id, frames: e.frames }));
    const tracker = new PushcutTracker({ demos });
    const rollouts = [...heldOut.slice(0, 6), ...pushes.slice(0, 6), ...drags];
    rollouts.forEach((e, i) => {
      tracker.observe({ id: e.id, rlStep: i % 4, success: e.success, frames: e.frames });
    });
    const report = tracker.report();
    const drag = report.pushcuts.find((p) => p.name === 'grasp skipped lift');
    expect(drag, JSON.stringify(report.strategies.map((x) => `${x.name} ${x.successes}`))).toBeDefined();
    const dragSuccesses = drags.filter((e) => e.success).map((e) => e.id);
    expect(dragSuccesses.length).toBeGreaterThanOrEqual(4);
    const members = report.episodes.filter((r) => r.strategyId === drag?.id).map((r) => r.id);
    expect(members.sort()).toEqual(dragSuccesses.sort());
    expect(report.pushcuts.map((p) => p.name).sort()).toEqual(['grasp skipped lift', 'push without grasp']);
    console.log(
      `[pushcut sim three strategies] ${report.strategies.map((x) => `${x.name}: ${x.successes} successes, first step ${x.firstSeenStep}, "${x.description}"`).join('; ')}`,
    );
  });
});
