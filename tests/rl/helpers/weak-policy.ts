import { saveCheckpoint } from '../../../core/nn/checkpoint';
import { behaviourClone } from '../../../core/rl/policies/behaviour-cloning';
import { type StateMlpConfig, stateMlpPolicy } from '../../../core/rl/policies/state-mlp';
import type { TokenPolicy } from '../../../core/rl/policy';
import { createTaskEnv } from '../../../core/sim/env';
import { runExpertEpisode } from '../../../core/sim/experts';

/**
 * A weak warm-started policy for `task` from seed 0: a state-only MLP cloned for a few steps from
 * one expert demo. It succeeds sometimes at temperature 1.6 from seed 0, so GRPO has signal.
 */
export async function weakPolicy(
  task: string,
  bcSteps = 50,
): Promise<{
  policy: TokenPolicy;
  config: StateMlpConfig;
  params: Map<string, Float32Array>;
  instruction: string;
}> {
  const env = await createTaskEnv({ task, cameras: false });
  const demo = runExpertEpisode(env, 0);
  env.close();
  const actions = demo.frames.map((f) => f.action);
  const lo = [0, 1, 2, 3, 4, 5].map((k) => Math.min(...actions.map((a) => a[k] as number)) - 10);
  const hi = [0, 1, 2, 3, 4, 5].map((k) => Math.max(...actions.map((a) => a[k] as number)) + 10);
  const config: StateMlpConfig = {
    instructions: [env.instruction],
    actionLow: lo,
    actionHigh: hi,
    bins: 64,
    hidden: 64,
  };
  const policy = stateMlpPolicy(config);
  const params = await behaviourClone(
    policy,
    [{ instruction: env.instruction, observations: demo.frames.map((f) => f.obs), actions }],
    { steps: bcSteps, actionLow: lo, actionHigh: hi, lr: 1e-3, threads: 1 },
  );
  return { policy, config, params, instruction: env.instruction };
}

export function saveParams(path: string, policy: TokenPolicy, params: Map<string, Float32Array>): void {
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const p of policy.model.params)
    tensors.set(`param/${p.name}`, { shape: p.shape, data: params.get(p.name)! });
  saveCheckpoint(path, { model: policy.model.name, meta: {}, tensors });
}
