import { describe, expect, it } from 'vitest';
import { ppoClipLoss } from '../../core/nn/losses';
import { initParams, type ModelDef, rng } from '../../core/nn/model';
import { linear, reshape } from '../../core/nn/ops';
import type { HostTensor } from '../../core/nn/runtime';
import { Trainer } from '../../core/nn/trainer';
import { buildTrainingRows } from '../../core/rl/grpo/batch';
import { demoAnchorRows } from '../../core/rl/grpo/demo-anchor';
import { GRPO_INPUTS } from '../../core/rl/grpo/loss-graph';
import { logProbAt, referenceGrpoLoss } from '../../core/rl/grpo/reference-loss';
import { stackRows } from '../../core/rl/grpo/rows';
import type { RolloutGroup } from '../../core/rl/grpo/types';
import { GrpoUpdater } from '../../core/rl/grpo/update';
import type { TokenPolicy } from '../../core/rl/policy';
import { PolicyRunner } from '../../core/rl/policy-runner';

// A linear token policy: logits[b, t, v] = x[b] . W[:, t*V + v] + bias. chunk 2 x dims 2, 5 bins.
const IN = 3;
const CHUNK = 2;
const DIMS = 2;
const V = 5;
const T = CHUNK * DIMS;
const model: ModelDef = {
  name: 'linear_token_policy',
  inputs: [{ name: 'x', shape: [IN], dtype: 'float32' }],
  params: [
    { name: 'w', shape: [IN, T * V], init: { kind: 'normal', std: 0.5 } },
    { name: 'b', shape: [T * V], init: { kind: 'normal', std: 0.5 } },
  ],
  outputs: ['logits'],
  forward: (x, p) => {
    const y = linear(x.x!, p.w!, p.b);
    return { logits: reshape(y, [y.shape[0] as number, T, V]) };
  },
};
const policy: TokenPolicy = {
  model,
  logitsOutput: 'logits',
  chunk: CHUNK,
  actionDims: DIMS,
  bins: V,
  encode: () => {
    throw new Error('not used');
  },
  decode: () => [],
};

function forwardTs(params: Map<string, Float32Array>, x: Float32Array): Float32Array {
  const w = params.get('w')!;
  const b = params.get('b')!;
  const out = new Float32Array(T * V);
  for (let j = 0; j < T * V; j++) {
    let s = b[j]!;
    for (let i = 0; i < IN; i++) s += x[i]! * w[i * T * V + j]!;
    out[j] = s;
  }
  return out;
}

function makeGroups(seed: number): RolloutGroup[] {
  const rand = rng(seed);
  const groups: RolloutGroup[] = [];
  for (let g = 0; g < 2; g++) {
    groups.push({
      id: `g${g}`,
      task: 't',
      seed: g,
      rollouts: [1, 0, 1].map((reward, k) => {
        const decisions = 1 + ((g + k) % 3);
        return {
          groupId: `g${g}`,
          task: 't',
          seed: g,
          reward: (g === 1 && k === 2 ? 0 : reward) as 0 | 1,
          policyVersion: 0,
          finishStep: decisions * CHUNK - (k % 2),
          interventionSteps: k === 2 ? [0] : [],
          decisions: Array.from({ length: decisions }, () => ({
            inputs: {
              x: {
                dtype: 'float32',
                shape: [IN],
                data: Float32Array.from({ length: IN }, () => rand() * 2 - 1),
              },
            } as Record<string, HostTensor>,
            tokens: Int32Array.from({ length: T }, () => Math.floor(rand() * V)),
            behaviourLogp: Float32Array.from({ length: T }, () => -1.6 - rand()),
          })),
        };
      }),
    });
  }
  return groups;
}

describe('GRPO loss in ONNX', () => {
  it('equals the TypeScript reference (per-rollout mean, clip-higher, masks)', async () => {
    const params = initParams(model, 3);
    const groups = makeGroups(7);
    const temperature = 1.6;
    const { rows } = buildTrainingRows(groups, policy);
    const updater = await GrpoUpdater.create(policy, params, {
      rowsPerStep: rows.length,
      temperature,
      threads: 1,
    });
    const batch: Record<string, HostTensor> = {
      x: stackRows(rows.map((r) => r.decision.inputs.x!)),
      [GRPO_INPUTS.tokens]: {
        dtype: 'int64',
        shape: [rows.length, T],
        data: BigInt64Array.from(rows.flatMap((r) => Array.from(r.decision.tokens, BigInt))),
      },
      [GRPO_INPUTS.behaviourLogp]: stackRows(
        rows.map((r) => ({ dtype: 'float32', shape: [T], data: r.decision.behaviourLogp })),
      ),
      [GRPO_INPUTS.mask]: stackRows(rows.map((r) => ({ dtype: 'float32', shape: [T], data: r.mask }))),
      [GRPO_INPUTS.weight]: stackRows(rows.map((r) => ({ dtype: 'float32', shape: [T], data: r.weight }))),
      [GRPO_INPUTS.advantage]: {
        dtype: 'float32',
        shape: [rows.length],
        data: Float32Array.from(rows, (r) => r.advantage),
      },
    };
    const onnx = await updater.trainer.evaluate(batch);

    // reference: regroup the rows by rollout, with log-probs from a TS forward pass
    const byRollout = new Map<number, { logp: number[]; old: number[]; mask: number[]; adv: number }>();
    for (const r of rows) {
      const logits = forwardTs(params, r.decision.inputs.x!.data as Float32Array);
      const e = byRollout.get(r.rollout) ?? { logp: [], old: [], mask: [], adv: r.advantage };
      for (let t = 0; t < T; t++) {
        e.logp.push(logProbAt(logits, t * V, V, r.decision.tokens[t]!, temperature));
        e.old.push(r.decision.behaviourLogp[t]!);
        e.mask.push(r.mask[t]!);
      }
      byRollout.set(r.rollout, e);
    }
    const ref = referenceGrpoLoss(
      [...byRollout.values()].map((e) => ({
        logp: e.logp,
        behaviourLogp: e.old,
        mask: e.mask,
        advantage: e.adv,
      })),
    );
    expect(Math.abs(ref.loss)).toBeGreaterThan(1e-3);
    expect(onnx.loss).toBeCloseTo(ref.loss, 4);
    expect(onnx.metrics.clip_frac).toBeCloseTo(ref.clipFrac, 5);
    expect(onnx.metrics.abs_log_ratio).toBeCloseTo(ref.meanAbsLogRatio, 4);
    expect(onnx.metrics.entropy).toBeGreaterThan(0);
    expect(onnx.metrics.entropy).toBeLessThanOrEqual(Math.log(V) + 1e-5);
    await updater.release();
  });

  it('an update raises the log-prob of rewarded tokens and lowers the failed ones', async () => {
    const params = initParams(model, 5);
    const x = { dtype: 'float32' as const, shape: [IN], data: Float32Array.of(0.3, -0.2, 0.5) };
    const good = Int32Array.of(0, 1, 2, 3);
    const bad = Int32Array.of(4, 3, 1, 0);
    const logpOf = (p: Map<string, Float32Array>, tok: Int32Array) => {
      const logits = forwardTs(p, x.data);
      return Array.from(tok).reduce((a, t, i) => a + logProbAt(logits, i * V, V, t, 1.6), 0);
    };
    const behaviour = (tok: Int32Array) => {
      const logits = forwardTs(params, x.data);
      return Float32Array.from(tok, (t, i) => logProbAt(logits, i * V, V, t, 1.6));
    };
    const rollout = (reward: 0 | 1, tokens: Int32Array) => ({
      groupId: 'g',
      task: 't',
      seed: 0,
      reward,
      policyVersion: 0,
      finishStep: CHUNK,
      decisions: [{ inputs: { x }, tokens, behaviourLogp: behaviour(tokens) }],
    });
    const group: RolloutGroup = {
      id: 'g',
      task: 't',
      seed: 0,
      rollouts: [rollout(1, good), rollout(0, bad)],
    };
    const updater = await GrpoUpdater.create(policy, params, {
      rowsPerStep: 2,
      lr: 0.05,
      epochs: 3,
      threads: 1,
    });
    const m = await updater.update([group]);
    expect(m.steps).toBe(3);
    expect(m.skipped).toBe(0);
    expect(logpOf(updater.params, good)).toBeGreaterThan(logpOf(params, good) + 0.1);
    expect(logpOf(updater.params, bad)).toBeLessThan(logpOf(params, bad) - 0.1);
    expect(m.absLogRatio).toBeGreaterThan(0);
    await updater.release();
  });
  it("agrees with the NN engine's ppoClipLoss when every rollout is one decision", async () => {
    const params = initParams(model, 9);
    // one decision per rollout: the per-rollout mean over valid tokens is what ppoClipLoss computes per row
    const groups = makeGroups(11).map((g) => ({
      ...g,
      rollouts: g.rollouts.map((r) => ({
        ...r,
        decisions: r.decisions.slice(0, 1),
        finishStep: Math.min(r.finishStep, CHUNK),
      })),
    }));
    const { rows } = buildTrainingRows(groups, policy);
    const n = rows.length;
    const tokens = BigInt64Array.from(rows.flatMap((r) => Array.from(r.decision.tokens, BigInt)));
    const old = stackRows(
      rows.map((r) => ({ dtype: 'float32', shape: [T], data: r.decision.behaviourLogp })),
    );
    const mask = stackRows(rows.map((r) => ({ dtype: 'float32', shape: [T], data: r.mask })));
    const x = stackRows(rows.map((r) => r.decision.inputs.x!));
    const adv = { dtype: 'float32' as const, shape: [n], data: Float32Array.from(rows, (r) => r.advantage) };
    const ours = await GrpoUpdater.create(policy, params, { rowsPerStep: n, temperature: 1.6, threads: 1 });
    const mine = await ours.trainer.evaluate({
      x,
      [GRPO_INPUTS.tokens]: { dtype: 'int64', shape: [n, T], data: tokens },
      [GRPO_INPUTS.behaviourLogp]: old,
      [GRPO_INPUTS.mask]: mask,
      [GRPO_INPUTS.weight]: stackRows(rows.map((r) => ({ dtype: 'float32', shape: [T], data: r.weight }))),
      [GRPO_INPUTS.advantage]: adv,
    });
    const theirs = await Trainer.create({
      model,
      batch: n,
      params,
      threads: 1,
      extraInputs: [
        { name: 'actions', shape: [T], dtype: 'int64' },
        { name: 'old', shape: [T], dtype: 'float32' },
        { name: 'adv', shape: [], dtype: 'float32' },
        { name: 'mask', shape: [T], dtype: 'float32' },
      ],
      loss: (out, e) =>
        ppoClipLoss(
          {
            logits: out.logits!,
            actions: e.actions!,
            behaviourLogp: e.old!,
            advantages: e.adv!,
            mask: e.mask!,
          },
          { temperature: 1.6 },
        ),
    });
    const ref = await theirs.evaluate({
      x,
      actions: { dtype: 'int64', shape: [n, T], data: tokens },
      old,
      adv,
      mask,
    });
    expect(Math.abs(mine.loss)).toBeGreaterThan(1e-4);
    expect(mine.loss).toBeCloseTo(ref.loss, 5);
    await ours.release();
    await theirs.release();
  });

  it('the demo anchor starts at ratio 1, weighs `weight` in all, and pulls the policy to the demo', async () => {
    const params = initParams(model, 13);
    const groups = makeGroups(17);
    const rand = rng(19);
    const demos = Array.from({ length: 6 }, () => ({
      inputs: {
        x: { dtype: 'float32', shape: [IN], data: Float32Array.from({ length: IN }, () => rand() * 2 - 1) },
      } as Record<string, HostTensor>,
      tokens: Int32Array.from({ length: T }, () => Math.floor(rand() * V)),
    }));
    const runner = new PolicyRunner(policy, 1);
    const state = { policy, params, version: 0 };
    const rows = await demoAnchorRows(runner, state, demos, { weight: 0.5, rows: 4, temperature: 1.6 }, rand);
    expect(rows).toHaveLength(4);
    let total = 0;
    for (const r of rows) {
      const logits = forwardTs(params, r.decision.inputs.x!.data as Float32Array);
      r.decision.tokens.forEach((t, i) => {
        expect(r.decision.behaviourLogp[i]).toBeCloseTo(logProbAt(logits, i * V, V, t, 1.6), 4);
      });
      expect(r.mask.every((m) => m === 0)).toBe(true);
      total += r.weight.reduce((a, w) => a + w, 0);
    }
    expect(total).toBeCloseTo(0.5, 5);

    const demoLogp = (p: Map<string, Float32Array>) =>
      rows.reduce((a, r) => {
        const logits = forwardTs(p, r.decision.inputs.x!.data as Float32Array);
        return (
          a + Array.from(r.decision.tokens).reduce((b, t, i) => b + logProbAt(logits, i * V, V, t, 1.6), 0)
        );
      }, 0);
    const run = async (extra: typeof rows) => {
      const u = await GrpoUpdater.create(policy, params, { rowsPerStep: 32, lr: 0.05, threads: 1 });
      const m = await u.update(groups, rng(23), extra);
      const after = demoLogp(u.params);
      await u.release();
      return { m, after };
    };
    const plain = await run([]);
    const anchored = await run(rows);
    expect(anchored.after).toBeGreaterThan(plain.after + 0.05);
    expect(anchored.m.validTokens).toBe(plain.m.validTokens);
    expect(anchored.m.rows).toBe(plain.m.rows + rows.length);
    await runner.release();
  });
});
