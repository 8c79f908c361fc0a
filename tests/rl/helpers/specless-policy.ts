import { type StateMlpConfig, stateMlpPolicy } from '../../../core/rl/policies/state-mlp';
import type { TokenPolicy } from '../../../core/rl/policy';

/** A policy factory that sets no spec of its own, as a third-party policy module may. */
export function speclessPolicy(config: StateMlpConfig): TokenPolicy {
  const { spec: _spec, ...policy } = stateMlpPolicy(config);
  return policy;
}
