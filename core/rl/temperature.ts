/**
 * Rollout sampling temperatures. SimpleVLA-RL samples OpenVLA-OFT at 1.6; tiny-vla's token
 * distributions are far wider after one-demo SFT; at 1.6 its multi-stage tasks rarely succeed, so
 * their groups teach nothing. In the simulator headline bench, 30 minutes of RL ended at 24-35%
 * greedy success (bank and unseen layouts averaged) at 0.8-1.0 against 23-26% at 1.6
 * (bench/results/rl.md). On a robot the recipe's 1.6 stays until it is measured there.
 */
export const RL_TEMPERATURE = { sim: 1.0, robot: 1.6 } as const;
