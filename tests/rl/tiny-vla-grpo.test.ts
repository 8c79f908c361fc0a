import { describe, expect, it } from 'vitest';
import { initParams, rng } from '../../core/nn/model';
import type { RolloutGroup } from '../../core/rl/grpo/types';
import { GrpoUpdater } from '../../core/rl/grpo/update';
import { tinyVlaTokenPolicy } from '../../core/rl/policies/tiny-vla';
import { PolicyRunner } from '../../core/rl/policy-runner';
import { defaultTinyVlaConfig } from '../../models/tiny-vla/config';
import { buildVocab } from '../../models/tiny-vla/tokenizer';

describe('GRPO on tiny-vla', () => {
  it('samples chunks from camera frames and updates the policy toward the rewarded rollout', async () => {
    const cfg = defaultTinyVlaConfig({ imageSize: 16, vocab: buildVocab(['press the button']) });
    const policy = tinyVlaTokenPolicy(cfg);
    const params = initParams(policy.model, 0);
    const rand = rng(3);
    // 24x24 frames are resized to the policy's 16x16
    const img = () => ({
      width: 24,
      height: 24,
      data: Uint8Array.from({ length: 24 * 24 * 3 }, () => Math.floor(rand() * 255)),
    });
    const obs = [0, 1].map(() => ({
      state: [0, 10, -10, 5, 0, 50],
      images: { front: img(), wrist: img() },
      instruction: 'press the button',
    }));
    const runner = new PolicyRunner(policy, 1);
    const act = await runner.act({ policy, params, version: 0 }, obs, 1.6, rand);
    expect(act.actions[0]).toHaveLength(cfg.chunk);
    expect(act.actions[0]?.[0]).toHaveLength(6);
    expect(act.decisions[0]?.tokens).toHaveLength(cfg.chunk * 6);
    expect(act.decisions[0]?.inputs.front?.shape).toEqual([16, 16, 3]);
    const group: RolloutGroup = {
      id: 'g',
      task: 'press_button',
      seed: 0,
      rollouts: act.decisions.map((d, i) => ({
        groupId: 'g',
        task: 'press_button',
        seed: 0,
        decisions: [d],
        finishStep: cfg.chunk,
        reward: i === 0 ? 1 : 0,
        policyVersion: 0,
      })),
    };
    const updater = await GrpoUpdater.create(policy, params, {
      rowsPerStep: 2,
      lr: 1e-3,
      epochs: 2,
      threads: 1,
    });
    const m = await updater.update([group]);
    expect(m).toMatchObject({ steps: 2, skipped: 0, rollouts: 2 });
    expect(m.entropy).toBeGreaterThan(0);
    // the rewarded chunk became more likely, the failed one less
    const logp = async (p: Map<string, Float32Array>, i: number) => {
      const logits = await runner.logits({ policy, params: p, version: 0 }, policy.encode([obs[i]!]), 1);
      const tok = act.decisions[i]!.tokens;
      let s = 0;
      for (let t = 0; t < tok.length; t++) {
        const row = logits.subarray(t * cfg.bins, (t + 1) * cfg.bins);
        const max = Math.max(...row);
        const z = row.reduce((a, v) => a + Math.exp((v - max) / 1.6), 0);
        s += (row[tok[t]!]! - max) / 1.6 - Math.log(z);
      }
      return s;
    };
    expect(await logp(updater.params, 0)).toBeGreaterThan(await logp(params, 0));
    expect(await logp(updater.params, 1)).toBeLessThan(await logp(params, 1));
    await runner.release();
    await updater.release();
  }, 60_000);
});
