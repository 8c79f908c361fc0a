/**
 * Rollout sampling temperatures. SimpleVLA-RL samples OpenVLA-OFT at 1.6; tiny-vla's token
 * distributions are far wider after one-demo SFT, and in the simulator headline bench it learned
 * much more at 0.8-1.0 (greedy success 16.7% -> 45% at 1.0 against 25% at 1.6, same 30 minutes;
 * bench/results/rl.md). On a robot the recipe's 1.6 stays until it is measured there.
 */
export const RL_TEMPERATURE = { sim: 1.0, robot: 1.6 } as const;
