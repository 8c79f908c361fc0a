import { describe, expect, it } from 'vitest';
import { analyzeEpisodes, type SourcedEpisode } from '../../../core/rl/pushcut/analyze';
import { PushcutError } from '../../../core/rl/pushcut/errors';
import { PushcutTracker, type TrackerEvent } from '../../../core/rl/pushcut/tracker';
import type { PushcutFrame, Vec3 } from '../../../core/rl/pushcut/types';
import { solveIk, worldToUrdf } from './so101-ik';
import {
  dragEpisode,
  graspEpisode,
  missEpisode,
  pushEpisode,
  type SyntheticEpisode,
  toJointsOnly,
} from './synthetic-world';

// Synthetic kinematic world (see synthetic-world.ts); the simulator-backed check is sim-labelled.test.ts.

type Label = 'grasp' | 'push' | 'drag' | 'miss';
interface Labelled {
  id: string;
  rlStep: number;
  label: Label;
  ep: SyntheticEpisode;
}

const noise = (i: number) => 0.0005 + 0.0003 * (i % 3);
const demoEpisodes = Array.from({ length: 10 }, (_, i) => ({
  id: `demo${i}`,
  frames: graspEpisode(100 + i, noise(i)).frames,
}));

function rollouts(): Labelled[] {
  const out: Labelled[] = [];
  for (let i = 0; i < 10; i++)
    out.push({ id: `g${i}`, rlStep: i % 5, label: 'grasp', ep: graspEpisode(200 + i, noise(i)) });
  for (let i = 0; i < 10; i++)
    out.push({
      id: `p${i}`,
      rlStep: 2 + (i % 3),
      label: 'push',
      ep: pushEpisode(300 + i, 0.0008, i % 3 !== 0),
    });
  for (let i = 0; i < 4; i++)
    out.push({ id: `d${i}`, rlStep: 3 + (i % 2), label: 'drag', ep: dragEpisode(400 + i) });
  for (let i = 0; i < 6; i++)
    out.push({ id: `m${i}`, rlStep: i % 5, label: 'miss', ep: missEpisode(500 + i) });
  return out.sort((a, b) => a.rlStep - b.rlStep);
}

function run(convert: (f: PushcutFrame[]) => PushcutFrame[] = (f) => f) {
  const tracker = new PushcutTracker({
    demos: demoEpisodes.map((d) => ({ ...d, frames: convert(d.frames) })),
  });
  const events: TrackerEvent[] = [];
  const eps = rollouts();
  for (const r of eps) {
    events.push(
      ...tracker.observe({ id: r.id, rlStep: r.rlStep, success: r.ep.success, frames: convert(r.ep.frames) }),
    );
  }
  return { tracker, events, eps, report: tracker.report() };
}

describe('PushcutTracker on a synthetic grasp-or-push world (contacts)', () => {
  const { tracker, events, eps, report } = run();

  it('calibrates the threshold from held-out demonstrations', () => {
    const c = tracker.calibration;
    expect(c.evidence).toBe('contacts');
    expect(c.leaveOneOut).toHaveLength(10);
    expect(c.threshold).toBeGreaterThanOrEqual(Math.max(...c.leaveOneOut) * 0.9);
    expect(c.demoSentence).toEqual(['grasp', 'lift', 'carry', 'release']);
  });

  it('flags every push and drag success, and no held-out grasp', () => {
    const novel = new Set(report.episodes.filter((e) => e.novel && e.success).map((e) => e.id));
    for (const e of eps) {
      if (!e.ep.success) continue;
      expect(novel.has(e.id), `${e.id} (${e.label})`).toBe(e.label !== 'grasp');
    }
    expect(eps.filter((e) => e.label !== 'miss').every((e) => e.ep.success)).toBe(true);
  });

  it('groups them into two named pushcuts with first step, shares and best episodes', () => {
    expect(report.pushcuts.map((p) => p.name).sort()).toEqual(['grasp skipped lift', 'push without grasp']);
    const push = report.pushcuts.find((p) => p.name === 'push without grasp');
    expect(push?.successes).toBe(10);
    expect(push?.failures).toBe(0);
    expect(push?.successRate).toBe(1);
    expect(push?.description).toMatch(/^cube pushed \d+ cm \(touched, never held\)$/);
    expect(push?.firstSeenStep).toBe(2);
    expect(push?.bestEpisodes).toHaveLength(3);
    expect(push?.bestEpisodes.every((id) => id.startsWith('p'))).toBe(true);
    const step2 = push?.sharesByStep.find((s) => s.rlStep === 2);
    const successesAt2 = eps.filter((e) => e.rlStep === 2 && e.ep.success).length;
    const pushesAt2 = eps.filter((e) => e.rlStep === 2 && e.label === 'push').length;
    expect(step2?.share).toBeCloseTo(pushesAt2 / successesAt2, 12);
    expect(report.tags.p0).toEqual(['pushcut:push-without-grasp']);
    expect(report.tags.g0).toBeUndefined();
  });

  it('fires new-strategy and new-pushcut events once each, when the min count is reached', () => {
    const pc = events.filter((e) => e.type === 'new-pushcut');
    expect(pc).toHaveLength(2);
    const pushFirst = events.findIndex(
      (e) => e.type === 'new-pushcut' && e.pushcut.name === 'push without grasp',
    );
    const novelPushesBefore = events
      .slice(0, pushFirst)
      .filter((e) => e.type === 'novel-success' && e.episodeId.startsWith('p')).length;
    expect(novelPushesBefore).toBe(3); // minCount
  });

  it('leaves failures out of strategies', () => {
    for (const e of report.episodes.filter((x) => !x.success)) expect(e.strategyId).toBeUndefined();
  });

  it('reports per-step success shares that add up', () => {
    for (const s of report.steps) {
      const novel = Object.values(s.byStrategy).reduce((a, b) => a + b, 0);
      expect(s.demoLike + novel).toBe(s.successes);
    }
  });
});

describe('PushcutTracker from joints only (physical arm)', () => {
  const ik = (p: Vec3, prev: number[]) => solveIk(worldToUrdf(p), prev);
  const { tracker, report, eps } = run((f) => toJointsOnly(f, ik));

  it('uses forward kinematics and gripper stalls, and still finds the push as a sweep', () => {
    expect(tracker.calibration.evidence).toBe('joints');
    expect(tracker.calibration.pathSource).toBe('fk');
    expect(report.pushcuts.map((p) => p.name).sort()).toEqual(['grasp skipped lift', 'sweep without grasp']);
    expect(report.pushcuts.find((p) => p.name === 'sweep without grasp')?.description).toBe(
      'the empty hand swept low over the table; no grasp',
    );
    const flagged = report.episodes.filter((e) => e.novel && e.success).map((e) => e.id);
    const expected = eps.filter((e) => e.ep.success && e.label !== 'grasp').map((e) => e.id);
    expect(flagged.sort()).toEqual(expected.sort());
  });
});

describe('tracker snapshots', () => {
  it('restores from plain JSON to the same state, and carries on identically', () => {
    const eps = rollouts();
    const first = eps.slice(0, 20);
    const rest = eps.slice(20);
    const live = new PushcutTracker({ demos: demoEpisodes });
    for (const r of first)
      live.observe({ id: r.id, rlStep: r.rlStep, success: r.ep.success, frames: r.ep.frames });
    const saved = JSON.parse(JSON.stringify(live.snapshot()));
    const restored = PushcutTracker.restore(saved);
    expect(restored.report()).toEqual(live.report());
    for (const r of rest) {
      const ep = { id: r.id, rlStep: r.rlStep, success: r.ep.success, frames: r.ep.frames };
      expect(restored.observe(ep)).toEqual(live.observe(ep));
    }
    expect(restored.report()).toEqual(live.report());
    expect(restored.report().pushcuts.length).toBe(2);
    expect(() =>
      restored.observe({ id: 'g0', rlStep: 9, success: true, frames: graspEpisode(1).frames }),
    ).toThrow(/already observed/);
  });

  it('refuses an unknown snapshot version, saying what to do instead', () => {
    expect(() => PushcutTracker.restore({ version: 2 } as never)).toThrow(/version 2.*analyzeEpisodes/);
  });
});

describe('pushcut configuration and bad input', () => {
  it('refuses to start without demonstrations, saying what to record', () => {
    expect(() => new PushcutTracker({ demos: [] })).toThrow(PushcutError);
    expect(() => new PushcutTracker({ demos: [] })).toThrow(/record at least 3 successful demonstrations/);
    const failed = demoEpisodes.slice(0, 3).map((d) => ({ ...d, success: false }));
    expect(() => new PushcutTracker({ demos: failed })).toThrow(/No successful demonstrations/);
    expect(() => new PushcutTracker({ demos: demoEpisodes.slice(0, 1) })).toThrow(/at least 2/);
  });

  it('says there is nothing to compare while no rollout has succeeded', () => {
    const t = new PushcutTracker({ demos: demoEpisodes.slice(0, 4) });
    expect(t.report().message).toMatch(/No rollouts observed yet/);
    t.observe({ id: 'm', rlStep: 0, success: false, frames: missEpisode(1).frames });
    const r = t.report();
    expect(r.message).toMatch(/No successful rollouts yet/);
    expect(r.pushcuts).toEqual([]);
    expect(() => t.observe({ id: 'm', rlStep: 0, success: false, frames: missEpisode(1).frames })).toThrow(
      /already observed/,
    );
  });

  it('explains a rollout recorded without the evidence the demonstrations had', () => {
    const t = new PushcutTracker({ demos: demoEpisodes });
    const jointsOnly = pushEpisode(3).frames.map((f) => ({ state: f.state }));
    expect(() => t.observe({ id: 'real', rlStep: 0, success: true, frames: jointsOnly })).toThrow(
      /lacks object poses or contacts.*evidence: "joints"/,
    );
    const mixed = new PushcutTracker({
      demos: demoEpisodes,
      config: { evidence: 'joints', pathSource: 'fk' },
    });
    expect(mixed.calibration.evidence).toBe('joints');
    expect(() => mixed.observe({ id: 'real', rlStep: 0, success: true, frames: jointsOnly })).not.toThrow();
  });

  it('rejects invalid settings', () => {
    expect(() => new PushcutTracker({ demos: demoEpisodes, config: { noveltyQuantile: 2 } })).toThrow(
      /noveltyQuantile/,
    );
  });

  it('requires a stricter success rate before promoting a strategy when configured', () => {
    const t = new PushcutTracker({ demos: demoEpisodes, config: { minCount: 3, minSuccessRate: 0.9 } });
    // failing pushes that fall short of the goal look like the push strategy
    for (let i = 0; i < 3; i++) {
      const short = pushEpisode(700 + i, 0.0008);
      t.observe({ id: `ok${i}`, rlStep: 1, success: true, frames: short.frames });
      t.observe({ id: `bad${i}`, rlStep: 1, success: false, frames: short.frames });
    }
    const r = t.report();
    expect(r.strategies).toHaveLength(1);
    expect(r.strategies[0]?.successRate).toBeCloseTo(0.5, 12);
    expect(r.pushcuts).toHaveLength(0);
    expect(r.tags.ok0).toEqual(['novel']);
  });
});

describe('analyzeEpisodes (offline)', () => {
  it('uses the demos in a dataset as the reference and scans rollouts in RL-step order', () => {
    const episodes: SourcedEpisode[] = [
      ...rollouts().map((r) => ({
        id: r.id,
        rlStep: r.rlStep,
        success: r.ep.success,
        frames: r.ep.frames,
        source: 'rollout' as const,
      })),
      ...demoEpisodes.map((d) => ({ ...d, success: true, source: 'demo' as const })),
    ];
    const a = analyzeEpisodes(episodes);
    expect(a.pushcuts.map((p) => p.name).sort()).toEqual(['grasp skipped lift', 'push without grasp']);
    expect(a.events.filter((e) => e.type === 'new-pushcut')).toHaveLength(2);
    expect(a.observed).toBe(30);
  });

  it('explains a dataset without demonstrations or without rollouts', () => {
    expect(() =>
      analyzeEpisodes([{ id: 'r', success: true, frames: pushEpisode(1).frames, source: 'rollout' }]),
    ).toThrow(/no demonstrations/);
    const onlyDemos = demoEpisodes.slice(0, 3).map((d) => ({ ...d, success: true, source: 'demo' as const }));
    expect(analyzeEpisodes(onlyDemos).message).toMatch(/no rollouts/);
  });
});
