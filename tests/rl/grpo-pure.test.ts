import { describe, expect, it } from 'vitest';
import { rng } from '../../core/nn/model';
import { sampleTokens } from '../../core/nn/token-sampling';
import { groupAdvantages, tokenAdvantages, unbiasedStd } from '../../core/rl/grpo/advantages';
import { buildTrainingRows, miniBatches } from '../../core/rl/grpo/batch';
import { collectDynamicBatch, groupIsInformative } from '../../core/rl/grpo/dynamic-sampling';
import { countValid, tokenMask } from '../../core/rl/grpo/masks';
import { clippedTokenLoss, referenceGrpoLoss } from '../../core/rl/grpo/reference-loss';
import type { Rollout, RolloutGroup } from '../../core/rl/grpo/types';

describe('GRPO advantages', () => {
  it('uses the unbiased std: rewards [1,0,0,1]', () => {
    // mean 0.5, squared deviations 4 x 0.25 = 1, var = 1 / (4 - 1) = 1/3, std = 0.577350
    expect(unbiasedStd([1, 0, 0, 1])).toBeCloseTo(0.57735027, 7);
    // adv = +-0.5 / (0.577350 + 1e-6) = +-0.866024
    const a = groupAdvantages([1, 0, 0, 1]);
    expect(a[0]).toBeCloseTo(0.5 / (Math.sqrt(1 / 3) + 1e-6), 9);
    expect(a[0]).toBeCloseTo(0.866024, 5);
    expect(a[1]).toBeCloseTo(-0.866024, 5);
  });

  it('one success in eight: +2.474871 / -0.353553', () => {
    // mean 0.125; ss = 0.875^2 + 7 x 0.125^2 = 0.875; var = 0.875 / 7 = 0.125; std = 0.353553
    const a = groupAdvantages([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(a[0]).toBeCloseTo(0.875 / (Math.sqrt(0.125) + 1e-6), 9);
    expect(a[0]).toBeCloseTo(2.47487, 4);
    expect(a[3]).toBeCloseTo(-0.353552, 5);
    // population std (biased) would give 0.875 / 0.330719 = 2.6458: pin that we do not use it
    expect(a[0]).not.toBeCloseTo(2.6458, 2);
  });

  it('all-equal groups get zero advantage; single rollouts are refused', () => {
    expect(groupAdvantages([1, 1, 1])).toEqual([0, 0, 0]);
    expect(() => groupAdvantages([1])).toThrow(/at least 2 rollouts/);
  });

  it('broadcasts the advantage to every valid token only', () => {
    expect(Array.from(tokenAdvantages(0.5, [1, 1, 0, 1, 0]))).toEqual([0.5, 0.5, 0, 0.5, 0]);
  });
});

describe('token masks', () => {
  const layout = { chunk: 2, actionDims: 3 }; // 6 tokens per decision

  it('masks tokens at and after finish_step x action dims', () => {
    // 3 decisions = 18 tokens; finished after 3 env steps -> tokens 0..8 valid
    const m = tokenMask(layout, 3, 3);
    expect(Array.from(m)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(countValid(tokenMask(layout, 3, 6))).toBe(18);
    expect(countValid(tokenMask(layout, 3, 99))).toBe(18);
    expect(countValid(tokenMask(layout, 3, 0))).toBe(0);
  });

  it('masks intervention steps (a person took over)', () => {
    // step 1 -> tokens 3..5 masked; step 7 is past the end and ignored
    const m = tokenMask(layout, 3, 3, [1, 7]);
    expect(Array.from(m)).toEqual([1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('clip-higher', () => {
  it('clips the ratio to [0.8, 1.28] only where it matters', () => {
    const lp = Math.log;
    // A > 0, r = 1.5: max(-1.5, -1.28) = -1.28, clipped
    expect(clippedTokenLoss(lp(1.5), 0, 1)).toMatchObject({ clipped: true });
    expect(clippedTokenLoss(lp(1.5), 0, 1).loss).toBeCloseTo(-1.28, 9);
    // A > 0, r = 1.25 is inside the higher bound (plain PPO 0.2 would clip at 1.2)
    expect(clippedTokenLoss(lp(1.25), 0, 1).loss).toBeCloseTo(-1.25, 9);
    // A > 0, r = 0.5: max(-0.5, -0.8) = -0.5, not clipped
    expect(clippedTokenLoss(lp(0.5), 0, 1)).toMatchObject({ clipped: false });
    expect(clippedTokenLoss(lp(0.5), 0, 1).loss).toBeCloseTo(-0.5, 9);
    // A < 0, r = 0.5: max(0.5, 0.8) = 0.8, clipped at the lower bound 1 - 0.2
    expect(clippedTokenLoss(lp(0.5), 0, -1).loss).toBeCloseTo(0.8, 9);
    // A < 0, r = 1.5: max(1.5, 1.28) = 1.5, not clipped (pessimistic bound)
    expect(clippedTokenLoss(lp(1.5), 0, -1).loss).toBeCloseTo(1.5, 9);
  });

  it('averages over each rollout’s valid tokens, then over rollouts', () => {
    const lp = Math.log;
    // R1: A = +1, ratios [1.5, 1, (masked)] -> [-1.28, -1] -> mean -1.14
    // R2: A = -1, ratios [0.5, 1.5, 1] -> [0.8, 1.5, 1] -> mean 1.1
    // loss = (-1.14 + 1.1) / 2 = -0.02; clipped tokens: R1[0], R2[0] -> 2 / 5 = 0.4
    // |log r| = (ln1.5 + 0 + ln2 + ln1.5 + 0) / 5 = 0.300815
    const r = referenceGrpoLoss([
      { logp: [lp(1.5), 0, lp(7)], behaviourLogp: [0, 0, 0], mask: [1, 1, 0], advantage: 1 },
      { logp: [lp(0.5), lp(1.5), 0], behaviourLogp: [0, 0, 0], mask: [1, 1, 1], advantage: -1 },
      { logp: [5], behaviourLogp: [0], mask: [0], advantage: 3 },
    ]);
    expect(r.loss).toBeCloseTo(-0.02, 9);
    expect(r.clipFrac).toBeCloseTo(0.4, 9);
    expect(r.meanAbsLogRatio).toBeCloseTo((2 * Math.log(1.5) + Math.log(2)) / 5, 9);
    expect(r.rollouts).toBe(2);
  });
});

function fakeRollout(
  reward: 0 | 1,
  decisions: number,
  finishStep: number,
  layout = { chunk: 2, actionDims: 3 },
): Rollout {
  const per = layout.chunk * layout.actionDims;
  return {
    groupId: 'g',
    task: 't',
    seed: 0,
    decisions: Array.from({ length: decisions }, () => ({
      inputs: {},
      tokens: new Int32Array(per),
      behaviourLogp: new Float32Array(per),
    })),
    finishStep,
    reward,
    policyVersion: 0,
  };
}

describe('training rows', () => {
  const layout = { chunk: 2, actionDims: 3 };
  // rollout A: 2 decisions, finished at step 3 -> 9 valid tokens; rollout B: 1 decision, 6 valid
  const twoRollouts = (): RolloutGroup => ({
    id: 'g',
    task: 't',
    seed: 0,
    rollouts: [fakeRollout(1, 2, 3), fakeRollout(0, 1, 2)],
  });

  it('weights tokens so the sum is the per-rollout mean, then the mean over rollouts', () => {
    const { rows, rollouts, validTokens } = buildTrainingRows([twoRollouts()], layout);
    expect(rollouts).toBe(2);
    expect(validTokens).toBe(15);
    expect(rows).toHaveLength(3);
    // A's tokens weigh 1 / (9 x 2), B's 1 / (6 x 2); each rollout's weights sum to 1/2
    expect(rows[0]!.weight[0]).toBeCloseTo(1 / 18, 9);
    expect(rows[1]!.weight[3]).toBe(0); // step 3 of A is after its finish step
    const sum = (i: number) => rows[i]!.weight.reduce((a, b) => a + b, 0);
    expect(sum(0) + sum(1)).toBeCloseTo(0.5, 6);
    expect(sum(2)).toBeCloseTo(0.5, 6);
    // advantages +-0.7071 (rewards [1, 0]: std = 0.707107)
    expect(rows[0]!.advantage).toBeCloseTo(0.5 / (Math.SQRT1_2 + 1e-6), 6);
    expect(rows[2]!.advantage).toBeCloseTo(-0.5 / (Math.SQRT1_2 + 1e-6), 6);
  });

  it("weights every valid token of the batch the same under 'token-mean'", () => {
    const { rows } = buildTrainingRows([twoRollouts()], layout, 'token-mean');
    // 15 valid tokens: A's 9 and B's 6 each weigh 1/15, so A carries 9/15 of the loss
    expect(rows[0]!.weight[0]).toBeCloseTo(1 / 15, 7);
    expect(rows[2]!.weight[0]).toBeCloseTo(1 / 15, 7);
    expect(rows[1]!.weight[3]).toBe(0);
    const sum = (i: number) => rows[i]!.weight.reduce((a, b) => a + b, 0);
    expect(sum(0) + sum(1)).toBeCloseTo(9 / 15, 6);
    expect(sum(2)).toBeCloseTo(6 / 15, 6);
  });

  it('splits rows into shuffled mini-batches that cover every row once', () => {
    const rand = rng(1);
    const mbs = miniBatches(10, 4, rand);
    expect(mbs).toHaveLength(3);
    expect(mbs.every((m) => m.scale === 3)).toBe(true);
    expect(mbs.flatMap((m) => m.indices).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('dynamic sampling', () => {
  const group = (id: string, rewards: (0 | 1)[], task = 'press'): RolloutGroup => ({
    id,
    task,
    seed: 0,
    rollouts: rewards.map((r) => fakeRollout(r, 1, 1)),
  });

  it('drops all-fail and all-success groups and samples until the batch is full', async () => {
    const queue = [group('a', [0, 0]), group('b', [1, 0]), group('c', [1, 1]), group('d', [0, 1], 'lift')];
    const asked: number[] = [];
    const batch = await collectDynamicBatch(
      async (k) => {
        asked.push(k);
        return queue.splice(0, 1);
      },
      { groups: 2 },
    );
    expect(batch.groups.map((g) => g.id)).toEqual(['b', 'd']);
    expect(batch.sampled).toHaveLength(4);
    expect(batch.stats).toMatchObject({ kept: 2, dropped: 2, allFail: 1, allSuccess: 1 });
    expect(batch.stats.successByTask.press).toEqual({ success: 3, total: 6 });
    expect(batch.stats.greedySuccessByTask).toEqual({});
    expect(batch.shortfall).toBeUndefined();
    expect(asked[0]).toBe(2);
    expect(groupIsInformative([1, 1, 1])).toBe(false);
  });

  it('counts the success of greedy rollouts apart from the sampled ones', async () => {
    const mixed = group('m', [0, 1, 1]);
    (mixed.rollouts[0] as Rollout).greedy = true;
    const batch = await collectDynamicBatch(async () => [mixed], { groups: 1 });
    expect(batch.groups.map((g) => g.id)).toEqual(['m']);
    expect(batch.stats.successByTask.press).toEqual({ success: 2, total: 2 });
    expect(batch.stats.greedySuccessByTask.press).toEqual({ success: 0, total: 1 });
  });

  it('stops at maxGroups with a message when the policy always fails or always succeeds', async () => {
    let calls = 0;
    const fail = await collectDynamicBatch(
      async (k) => {
        calls++;
        return Array.from({ length: k }, (_, i) => group(`f${i}`, [0, 0, 0]));
      },
      { groups: 4, maxGroups: 10 },
    );
    expect(fail.groups).toHaveLength(0);
    expect(fail.stats.dropped).toBe(10);
    expect(calls).toBe(3); // 4 + 4 + 2
    expect(fail.shortfall).toMatch(/every rollout failed.*SFT/);
    const win = await collectDynamicBatch(async (k) => Array.from({ length: k }, () => group('w', [1, 1])), {
      groups: 2,
      maxGroups: 3,
    });
    expect(win.shortfall).toMatch(/every rollout succeeded/);
  });
});

describe('token sampling', () => {
  it('returns log-probs at the temperature and decodes greedily at 0', () => {
    const logits = [0, Math.log(3), 0, 0]; // one position, vocab 4
    // at T = 1 the probabilities are [1, 3, 1, 1] / 6: argmax and median (CDF 1/6, 4/6) both bin 1
    expect(sampleTokens(logits, 1, 4, 0).tokens[0]).toBe(1);
    expect(sampleTokens(logits, 1, 4, 0, Math.random, 'argmax').tokens[0]).toBe(1);
    // [0.4, 0, 0.3, 0.3]: argmax is bin 0, the median (CDF 0.4, 0.4, 0.7) bin 2, with its log-prob
    const split = [Math.log(0.4), -100, Math.log(0.3), Math.log(0.3)];
    expect(sampleTokens(split, 1, 4, 0, Math.random, 'argmax').tokens[0]).toBe(0);
    const m = sampleTokens(split, 1, 4, 0);
    expect(m.tokens[0]).toBe(2);
    expect(m.logp[0]).toBeCloseTo(Math.log(0.3), 6);
    const s = sampleTokens(logits, 1, 4, 1, () => 0.5); // u = 3 -> past bin 0 (1), inside bin 1 (1..4)
    expect(s.tokens[0]).toBe(1);
    expect(s.logp[0]).toBeCloseTo(Math.log(0.5), 6);
    // at T = 2: weights [1, sqrt 3, 1, 1] -> p(1) = 1.732051 / 4.732051
    const h = sampleTokens(logits, 1, 4, 2, () => 0.3);
    expect(h.tokens[0]).toBe(1);
    expect(h.logp[0]).toBeCloseTo(Math.log(Math.sqrt(3) / (3 + Math.sqrt(3))), 6);
    // no random stream: the greedy token, its log-prob at T = 2 (a greedy rollout in a sampled group)
    const g = sampleTokens(split, 1, 4, 2, null);
    expect(g.tokens[0]).toBe(2);
    expect(g.logp[0]).toBeCloseTo(Math.log(Math.sqrt(0.3) / (Math.sqrt(0.4) + 2 * Math.sqrt(0.3))), 5);
    // the median of the untempered distribution: [0.3, 0.15, 0.55] -> bin 2 (at T = 2 it would be bin 1)
    const p = [0.3, 0.15, 0.55];
    const u = sampleTokens(p.map(Math.log), 1, 3, 2, null);
    expect(u.tokens[0]).toBe(2);
    const root = p.map(Math.sqrt);
    expect(u.logp[0]).toBeCloseTo(Math.log((root[2] as number) / (root[0]! + root[1]! + root[2]!)), 5);
  });
});
