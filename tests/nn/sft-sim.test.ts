import { describe, expect, it } from 'vitest';
import { initParams } from '../../core/nn/model';
import { evaluatePolicy } from '../../core/rl/sft/evaluate';
import { expertDemoSamples } from '../../core/rl/sft/sim-demos';
import { trainSft } from '../../core/rl/sft/train-sft';
import { TinyVlaPolicy, tinyVla } from '../../models/tiny-vla';

describe('SFT in the simulator', () => {
  it('tiny-vla trained on scripted-expert demos of lift_red_cube beats the untrained policy', {
    timeout: 300_000,
  }, async () => {
    const seeds = [0, 1, 2, 3, 4, 5, 6, 7];
    const demos = await expertDemoSamples('lift_red_cube', seeds, { imageSize: 32 });
    expect(demos.episodes).toBeGreaterThanOrEqual(6);
    const res = await trainSft({
      samples: demos.samples,
      steps: 250,
      batchSize: 32,
      lr: 2e-3,
      valFraction: 0.1,
      evalEvery: 250,
    });
    expect(res.finalValLoss).toBeLessThan(res.initialValLoss / 2);
    const trained = await TinyVlaPolicy.fromParams(res.config, res.params);
    const untrained = await TinyVlaPolicy.fromParams(res.config, initParams(tinyVla(res.config), 0));
    // Evaluated from the demos' own initial states (8 demos do not generalise to new layouts).
    const t = (await evaluatePolicy(trained, ['lift_red_cube'], seeds)).lift_red_cube!;
    const u = (await evaluatePolicy(untrained, ['lift_red_cube'], seeds)).lift_red_cube!;
    expect(t.successes).toBeGreaterThan(u.successes);
    expect(t.successes).toBeGreaterThanOrEqual(2);
    await Promise.all([trained.release(), untrained.release()]);
  });
});
