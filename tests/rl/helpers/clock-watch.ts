import type { PolicyObservation, TokenPolicy } from '../../../core/rl/policy';

/** The policy, recording the clock (`step`) of every observation it encodes. */
export function watchClocks(policy: TokenPolicy): { policy: TokenPolicy; clocks: (number | undefined)[] } {
  const clocks: (number | undefined)[] = [];
  const encode = (obs: readonly PolicyObservation[]) => {
    clocks.push(...obs.map((o) => o.step));
    return policy.encode(obs);
  };
  return { policy: { ...policy, encode }, clocks };
}
