/**
 * Pushcut tracker. The demonstrations are the reference. A successful rollout farther than the
 * calibrated novelty threshold from every demonstration is *novel*; novel successes are grouped
 * into strategies (incremental average-linkage on the same distance); a strategy that keeps
 * succeeding becomes a *pushcut*, named from its event sentence.
 */
import { leaveOneOutNearest, pathSpread, quantile } from './calibration';
import { DEFAULT_DISTANCE_CONFIG, type DistanceConfig, meanDtw, normalizedEditDistance } from './distance';
import { PushcutError } from './errors';
import { describeSignature, modalSentence, slugify, strategyName } from './naming';
import { computeSignature, hasContactEvidence, hasEePos, type SignatureConfig } from './signature';
import type { BehaviourSignature, EventSymbol, Evidence, PushcutEpisode, Vec3 } from './types';

export interface TrackerConfig {
  signature: Partial<SignatureConfig>;
  /** Event/path weights; `pathScale` defaults to the demos' workspace spread. */
  distance: Partial<DistanceConfig>;
  /** `auto`: contacts when every demonstration has object poses and contacts, else joints. */
  evidence: Evidence | 'auto';
  /** `auto`: recorded eePos when every demonstration has it, else SO-101 forward kinematics. */
  pathSource: 'eePos' | 'fk' | 'auto';
  /** Threshold = quantile(leave-one-out nearest-demo distances, noveltyQuantile) * noveltyMargin. */
  noveltyQuantile: number;
  noveltyMargin: number;
  /** Numerical floor for the threshold, for demo sets that are (near) identical copies. */
  minThreshold: number;
  /**
   * A novel success joins a strategy when its mean distance to the members is within the cluster
   * cut = max(threshold, quantile(pairwise demo distances, clusterQuantile) * clusterFactor): a
   * strategy may spread as much as the demonstrations' own strategy does.
   */
  clusterQuantile: number;
  clusterFactor: number;
  /** A strategy becomes a pushcut with at least this many successes ... */
  minCount: number;
  /** ... and at least this success rate (its successes / its successes + failures that look like it). */
  minSuccessRate: number;
  /** How many episodes closest to the strategy's medoid to list as its best examples. */
  bestEpisodes: number;
}

export const DEFAULT_TRACKER_CONFIG: TrackerConfig = {
  signature: {},
  distance: {},
  evidence: 'auto',
  pathSource: 'auto',
  noveltyQuantile: 0.95,
  noveltyMargin: 1.5,
  minThreshold: 0.05,
  clusterQuantile: 0.9,
  clusterFactor: 1.5,
  minCount: 3,
  minSuccessRate: 0.5,
  bestEpisodes: 3,
};

export interface Calibration {
  demoCount: number;
  evidence: Evidence;
  pathSource: 'eePos' | 'fk';
  /** Metres per unit of path distance. */
  pathScale: number;
  /** Each demonstration's distance to its nearest other demonstration. */
  leaveOneOut: number[];
  threshold: number;
  /** quantile(pairwise demo distances, clusterQuantile): how spread the demonstrated strategy is. */
  demoSpread: number;
  clusterCut: number;
  /** The demonstrations' most common event sentence. */
  demoSentence: EventSymbol[];
}

export interface StrategySummary {
  id: number;
  name: string;
  slug: string;
  /** The medoid episode's event sentence. */
  symbols: EventSymbol[];
  /** What it does to the objects, in words (from the medoid episode). */
  description: string;
  isPushcut: boolean;
  successes: number;
  /** Novel failures closest to this strategy's medoid (within the cluster cut). */
  failures: number;
  successRate: number;
  firstSeenStep: number;
  firstSeenEpisode: string;
  /** RL step at which it became a pushcut. */
  pushcutSinceStep?: number;
  medoidEpisode: string;
  /** Episode ids closest to the medoid, best first. */
  bestEpisodes: string[];
  /** Mean distance of its members to their nearest demonstration. */
  meanDemoDistance: number;
  /** Share of all successes at each RL step that used this strategy. */
  sharesByStep: { rlStep: number; share: number; count: number }[];
}

export interface EpisodeResult {
  id: string;
  rlStep: number;
  success: boolean;
  nearestDemo: string;
  demoDistance: number;
  novel: boolean;
  strategyId?: number;
  symbols: EventSymbol[];
}

export interface StepShares {
  rlStep: number;
  successes: number;
  /** Successes close to the demonstrations. */
  demoLike: number;
  /** Successes per strategy slug (novel ones only). */
  byStrategy: Record<string, number>;
}

export interface PushcutReport {
  calibration: Calibration;
  observed: number;
  successes: number;
  novelSuccesses: number;
  strategies: StrategySummary[];
  pushcuts: StrategySummary[];
  steps: StepShares[];
  /** Episode id -> tags (`pushcut:<slug>` for members of a pushcut, `novel` for other novel successes). */
  tags: Record<string, string[]>;
  episodes: EpisodeResult[];
  /** Set when there is nothing to report yet, saying why and what to do. */
  message?: string;
}

export type TrackerEvent =
  | { type: 'novel-success'; episodeId: string; rlStep: number; distance: number; strategyId: number }
  | { type: 'new-strategy'; strategy: StrategySummary }
  | { type: 'new-pushcut'; pushcut: StrategySummary };

interface Entry {
  /** Unique per tracker, for the distance memo. */
  key: number;
  id: string;
  rlStep: number;
  sig: BehaviourSignature;
  scaled: Vec3[];
}

interface Strategy {
  id: number;
  name: string;
  members: Entry[];
  /** Sum of distances from each member to the others (medoid = argmin). */
  sums: number[];
  pushcutSinceStep?: number;
}

export interface DemoInput {
  id: string;
  /** The demonstration's frames, or (e.g. from a snapshot) its signature. */
  frames?: PushcutEpisode['frames'];
  signature?: BehaviourSignature;
  /** Demonstrations marked unsuccessful are left out of the reference. */
  success?: boolean;
}

/** Everything needed to rebuild a tracker exactly (plain JSON; save it with the training run). */
export interface TrackerSnapshot {
  version: 1;
  config: TrackerConfig;
  demos: { id: string; signature: BehaviourSignature }[];
  /** Every observed episode's result, in order; novel ones with their signature. */
  episodes: { result: EpisodeResult; signature?: BehaviourSignature }[];
}

export class PushcutTracker {
  readonly config: TrackerConfig;
  readonly calibration: Calibration;
  private readonly demos: Entry[];
  private readonly weights: { event: number; path: number };
  private readonly strategies: Strategy[] = [];
  private readonly novelFailures: Entry[] = [];
  private readonly results: EpisodeResult[] = [];
  private readonly seen = new Set<string>();
  /** Distances between stored entries (failure-to-medoid and member-to-medoid are asked again and again). */
  private readonly memo = new Map<number, number>();
  private nextKey = 0;

  constructor(opts: { demos: readonly DemoInput[]; config?: Partial<TrackerConfig> }) {
    this.config = { ...DEFAULT_TRACKER_CONFIG, ...opts.config };
    validateConfig(this.config);
    const demos = (opts.demos ?? []).filter((d) => d.success !== false);
    if (demos.length === 0) {
      throw new PushcutError(
        'No successful demonstrations to compare rollouts with',
        'no_demos',
        'record at least 3 successful demonstrations of the task (or mark recorded ones as successful)',
      );
    }
    if (demos.length < 2) {
      throw new PushcutError(
        'Only 1 successful demonstration: the novelty threshold is calibrated by holding each demonstration out, which needs at least 2',
        'too_few_demos',
        'record a few more demonstrations (5 or more give a steadier threshold)',
      );
    }
    const given = demos.map((d) => d.signature).filter((x): x is BehaviourSignature => x !== undefined);
    const evidence: Evidence =
      this.config.evidence !== 'auto'
        ? this.config.evidence
        : demos.every((d) =>
              d.signature ? d.signature.evidence === 'contacts' : hasContactEvidence(d.frames ?? []),
            )
          ? 'contacts'
          : 'joints';
    const pathSource =
      this.config.pathSource !== 'auto'
        ? this.config.pathSource
        : demos.every((d) => (d.signature ? d.signature.pathSource === 'eePos' : hasEePos(d.frames ?? [])))
          ? 'eePos'
          : 'fk';
    if (given.some((g) => g.evidence !== evidence || g.pathSource !== pathSource)) {
      throw new PushcutError(
        'Demonstration signatures were built from different evidence than the tracker uses',
        'mixed_evidence',
        'pass the demonstrations as frames, or set config.evidence and config.pathSource to match them',
      );
    }
    const sigs = demos.map(
      (d) =>
        d.signature ??
        computeSignature(d.frames ?? [], { config: this.config.signature, evidence, pathSource }, d.id),
    );
    const pathScale = this.config.distance.pathScale ?? Math.max(0.01, pathSpread(sigs.map((s) => s.path)));
    const dist = { ...DEFAULT_DISTANCE_CONFIG, ...this.config.distance };
    this.weights = { event: dist.eventWeight, path: dist.pathWeight };
    this.demos = demos.map((d, i) => this.entry(d.id, 0, sigs[i] as BehaviourSignature, pathScale));
    const loo = leaveOneOutNearest(this.demos.length, (i, j) =>
      this.distance(this.demos[i] as Entry, this.demos[j] as Entry),
    );
    const pairwise: number[] = [];
    for (let i = 0; i < this.demos.length; i++) {
      for (let j = i + 1; j < this.demos.length; j++) {
        pairwise.push(this.distance(this.demos[i] as Entry, this.demos[j] as Entry));
      }
    }
    const demoSpread = quantile(pairwise, this.config.clusterQuantile);
    const threshold = Math.max(
      this.config.minThreshold,
      quantile(loo, this.config.noveltyQuantile) * this.config.noveltyMargin,
    );
    this.calibration = {
      demoCount: demos.length,
      evidence,
      pathSource,
      pathScale,
      leaveOneOut: loo,
      threshold,
      demoSpread,
      clusterCut: Math.max(threshold, demoSpread * this.config.clusterFactor),
      demoSentence: modalSentence(sigs.map((s) => s.symbols)),
    };
  }

  /** Distance between two signatures as the tracker measures it (same scale as the threshold). */
  signatureDistance(a: BehaviourSignature, b: BehaviourSignature): number {
    const s = this.calibration.pathScale;
    const ea = this.entry('a', 0, a, s);
    const eb = this.entry('b', 0, b, s);
    return this.rawDistance(ea, eb);
  }

  /** The behaviour signature of an episode, built the way the tracker builds it. */
  signature(episode: Pick<PushcutEpisode, 'id' | 'frames'>): BehaviourSignature {
    const { evidence, pathSource } = this.calibration;
    return computeSignature(
      episode.frames,
      { config: this.config.signature, evidence, pathSource },
      episode.id,
    );
  }

  observe(episode: PushcutEpisode): TrackerEvent[] {
    if (this.seen.has(episode.id)) {
      throw new PushcutError(
        `Episode ${episode.id} was already observed`,
        'bad_episode',
        'give each episode a unique id',
      );
    }
    const rlStep = episode.rlStep ?? 0;
    const e = this.entry(episode.id, rlStep, this.signature(episode), this.calibration.pathScale);
    this.seen.add(episode.id);
    return this.integrate(e, episode.success);
  }

  /** A plain-JSON copy of the tracker's state; `PushcutTracker.restore` rebuilds it exactly. */
  snapshot(): TrackerSnapshot {
    const novel = new Map<string, BehaviourSignature>();
    for (const s of this.strategies) for (const m of s.members) novel.set(m.id, m.sig);
    for (const f of this.novelFailures) novel.set(f.id, f.sig);
    return {
      version: 1,
      config: this.config,
      demos: this.demos.map((d) => ({ id: d.id, signature: d.sig })),
      episodes: this.results.map((r) => {
        const signature = novel.get(r.id);
        return signature ? { result: { ...r }, signature } : { result: { ...r } };
      }),
    };
  }

  static restore(snapshot: TrackerSnapshot): PushcutTracker {
    if (snapshot?.version !== 1) {
      throw new PushcutError(
        `Unsupported pushcut tracker snapshot version ${String(snapshot?.version)}`,
        'bad_config',
        'start a new tracker from the demonstrations, or run analyzeEpisodes on the dataset',
      );
    }
    const t = new PushcutTracker({ demos: snapshot.demos, config: snapshot.config });
    for (const { result, signature } of snapshot.episodes) {
      t.seen.add(result.id);
      if (!result.novel || !signature) {
        t.results.push({ ...result });
        continue;
      }
      const { strategyId: _, ...unfiled } = result;
      t.file(t.entry(result.id, result.rlStep, signature, t.calibration.pathScale), result.success, unfiled);
    }
    return t;
  }

  /** Scores an episode against the demos and, when novel, files it under a strategy. */
  private integrate(e: Entry, success: boolean): TrackerEvent[] {
    let nearest = '';
    let nearestD = Number.POSITIVE_INFINITY;
    for (const d of this.demos) {
      const x = this.distance(e, d);
      if (x < nearestD) {
        nearestD = x;
        nearest = d.id;
      }
    }
    const result: EpisodeResult = {
      id: e.id,
      rlStep: e.rlStep,
      success,
      nearestDemo: nearest,
      demoDistance: nearestD,
      novel: nearestD > this.calibration.threshold,
      symbols: e.sig.symbols,
    };
    return this.file(e, success, result);
  }

  /** Records the result and, when novel, files the episode under a strategy (or as a novel failure). */
  private file(e: Entry, success: boolean, result: EpisodeResult): TrackerEvent[] {
    const rlStep = e.rlStep;
    this.results.push(result);
    const events: TrackerEvent[] = [];
    if (!result.novel) return events;
    if (!success) {
      this.novelFailures.push(e);
      const s = this.closestByMedoid(e);
      if (s) this.checkPromotion(s, rlStep, events);
      return events;
    }
    let strategy = this.closestByMeanLinkage(e);
    if (strategy) {
      this.addMember(strategy, e);
    } else {
      strategy = { id: this.strategies.length + 1, name: '', members: [], sums: [] };
      this.addMember(strategy, e);
      this.strategies.push(strategy);
      strategy.name = this.uniqueName(strategy);
      events.push({ type: 'new-strategy', strategy: this.summary(strategy) });
    }
    result.strategyId = strategy.id;
    events.push({
      type: 'novel-success',
      episodeId: e.id,
      rlStep,
      distance: result.demoDistance,
      strategyId: strategy.id,
    });
    this.checkPromotion(strategy, rlStep, events);
    return events;
  }

  /** `episodes: false` leaves out the per-episode list (large after thousands of rollouts). */
  report(opts: { episodes?: boolean } = {}): PushcutReport {
    const strategies = this.strategies.map((s) => this.summary(s));
    const successes = this.results.filter((r) => r.success);
    const slugOf = new Map(strategies.map((s) => [s.id, s]));
    const steps = new Map<number, StepShares>();
    for (const r of successes) {
      let st = steps.get(r.rlStep);
      if (!st) {
        st = { rlStep: r.rlStep, successes: 0, demoLike: 0, byStrategy: {} };
        steps.set(r.rlStep, st);
      }
      st.successes++;
      const s = r.strategyId === undefined ? undefined : slugOf.get(r.strategyId);
      if (s) st.byStrategy[s.slug] = (st.byStrategy[s.slug] ?? 0) + 1;
      else if (!r.novel) st.demoLike++;
    }
    const tags: Record<string, string[]> = {};
    for (const r of successes) {
      if (!r.novel) continue;
      const s = r.strategyId === undefined ? undefined : slugOf.get(r.strategyId);
      tags[r.id] = s?.isPushcut ? [`pushcut:${s.slug}`] : ['novel'];
    }
    const report: PushcutReport = {
      calibration: this.calibration,
      observed: this.results.length,
      successes: successes.length,
      novelSuccesses: successes.filter((r) => r.novel).length,
      strategies,
      pushcuts: strategies.filter((s) => s.isPushcut),
      steps: [...steps.values()].sort((a, b) => a.rlStep - b.rlStep),
      tags,
      episodes: opts.episodes === false ? [] : this.results.map((r) => ({ ...r })),
    };
    if (this.results.length === 0) {
      report.message = 'No rollouts observed yet: start RL training (or load rollouts) to look for pushcuts.';
    } else if (successes.length === 0) {
      report.message =
        'No successful rollouts yet: a pushcut is a successful behaviour, so there is nothing to compare with the demonstrations. Keep training, or check that the success signal (sim oracle, key press or detector) fires.';
    } else if (report.novelSuccesses === 0) {
      report.message = `All ${successes.length} successful rollouts stay close to the demonstrations: no new behaviour so far.`;
    }
    return report;
  }

  private entry(id: string, rlStep: number, sig: BehaviourSignature, scale: number): Entry {
    const scaled = sig.path.map((p): Vec3 => [p[0] / scale, p[1] / scale, p[2] / scale]);
    return { key: this.nextKey++, id, rlStep, sig, scaled };
  }

  private distance(a: Entry, b: Entry): number {
    const key = a.key < b.key ? a.key * 2 ** 26 + b.key : b.key * 2 ** 26 + a.key;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const d = this.rawDistance(a, b);
    this.memo.set(key, d);
    return d;
  }

  private rawDistance(a: Entry, b: Entry): number {
    return (
      this.weights.event * normalizedEditDistance(a.sig.symbols, b.sig.symbols) +
      this.weights.path * meanDtw(a.scaled, b.scaled)
    );
  }

  private closestByMeanLinkage(e: Entry): Strategy | undefined {
    let best: Strategy | undefined;
    let bestD = Number.POSITIVE_INFINITY;
    for (const s of this.strategies) {
      const mean = s.members.reduce((acc, m) => acc + this.distance(e, m), 0) / s.members.length;
      if (mean <= this.calibration.clusterCut && mean < bestD) {
        bestD = mean;
        best = s;
      }
    }
    return best;
  }

  private medoid(s: Strategy): Entry {
    let bi = 0;
    s.sums.forEach((v, i) => {
      if (v < (s.sums[bi] as number)) bi = i;
    });
    return s.members[bi] as Entry;
  }

  private closestByMedoid(e: Entry): Strategy | undefined {
    let best: Strategy | undefined;
    let bestD = Number.POSITIVE_INFINITY;
    for (const s of this.strategies) {
      const d = this.distance(e, this.medoid(s));
      if (d <= this.calibration.clusterCut && d < bestD) {
        bestD = d;
        best = s;
      }
    }
    return best;
  }

  private addMember(s: Strategy, e: Entry): void {
    let sum = 0;
    s.members.forEach((m, i) => {
      const d = this.distance(e, m);
      sum += d;
      s.sums[i] = (s.sums[i] as number) + d;
    });
    s.members.push(e);
    s.sums.push(sum);
  }

  private failuresOf(s: Strategy): number {
    return this.novelFailures.filter((f) => this.closestByMedoid(f) === s).length;
  }

  private checkPromotion(s: Strategy, rlStep: number, events: TrackerEvent[]): void {
    if (s.pushcutSinceStep !== undefined) return;
    const n = s.members.length;
    if (n < this.config.minCount) return;
    const rate = n / (n + this.failuresOf(s));
    if (rate < this.config.minSuccessRate) return;
    s.pushcutSinceStep = rlStep;
    s.name = this.uniqueName(s); // named from its medoid now that it has several members
    events.push({ type: 'new-pushcut', pushcut: this.summary(s) });
  }

  private uniqueName(s: Strategy): string {
    const base = strategyName(this.medoid(s).sig.symbols, this.calibration.demoSentence);
    const taken = new Set(this.strategies.filter((o) => o !== s).map((o) => o.name));
    if (!taken.has(base)) return base;
    let k = 2;
    while (taken.has(`${base} (variant ${k})`)) k++;
    return `${base} (variant ${k})`;
  }

  private summary(s: Strategy): StrategySummary {
    const medoid = this.medoid(s);
    const failures = this.failuresOf(s);
    const memberIds = new Set(s.members.map((m) => m.id));
    const best = [...s.members]
      .map((m) => ({ id: m.id, d: m === medoid ? 0 : this.distance(m, medoid) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, this.config.bestEpisodes)
      .map((x) => x.id);
    const perStep = new Map<number, { total: number; count: number }>();
    let first = s.members[0] as Entry;
    let demoDist = 0;
    for (const r of this.results) {
      if (!r.success) continue;
      const c = perStep.get(r.rlStep) ?? { total: 0, count: 0 };
      c.total++;
      if (memberIds.has(r.id)) {
        c.count++;
        demoDist += r.demoDistance;
      }
      perStep.set(r.rlStep, c);
    }
    for (const m of s.members) if (m.rlStep < first.rlStep) first = m;
    const summary: StrategySummary = {
      id: s.id,
      name: s.name,
      slug: slugify(s.name),
      symbols: [...medoid.sig.symbols],
      description: describeSignature(medoid.sig),
      isPushcut: s.pushcutSinceStep !== undefined,
      successes: s.members.length,
      failures,
      successRate: s.members.length / (s.members.length + failures),
      firstSeenStep: first.rlStep,
      firstSeenEpisode: first.id,
      medoidEpisode: medoid.id,
      bestEpisodes: best,
      meanDemoDistance: demoDist / s.members.length,
      sharesByStep: [...perStep.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([rlStep, c]) => ({ rlStep, share: c.count / c.total, count: c.count })),
    };
    if (s.pushcutSinceStep !== undefined) summary.pushcutSinceStep = s.pushcutSinceStep;
    return summary;
  }
}

function validateConfig(c: TrackerConfig): void {
  const bad = (what: string, fix: string) => {
    throw new PushcutError(`Invalid pushcut tracker config: ${what}`, 'bad_config', fix);
  };
  if (!(c.noveltyQuantile >= 0 && c.noveltyQuantile <= 1))
    bad('noveltyQuantile must be in [0, 1]', 'use e.g. 0.95');
  if (!(c.noveltyMargin > 0)) bad('noveltyMargin must be > 0', 'use e.g. 1.5');
  if (!(c.clusterFactor > 0)) bad('clusterFactor must be > 0', 'use e.g. 1.5');
  if (!(c.clusterQuantile >= 0 && c.clusterQuantile <= 1))
    bad('clusterQuantile must be in [0, 1]', 'use e.g. 0.9');
  if (!(c.minCount >= 1)) bad('minCount must be >= 1', 'use e.g. 3');
  if (!(c.minSuccessRate >= 0 && c.minSuccessRate <= 1))
    bad('minSuccessRate must be in [0, 1]', 'use e.g. 0.5');
}
