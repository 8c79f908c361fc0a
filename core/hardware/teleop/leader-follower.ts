import type { Robot } from '../robot';
import type { SafetyLayer } from '../safety';
import { TeleopLoop } from './teleop-loop';
import type { Teleoperator } from './teleoperator';

export interface LeaderFollowerOptions {
  leader: Teleoperator;
  follower: Robot;
  safety?: SafetyLayer;
  /** Default 60 Hz. */
  hz?: number;
  maxSpeed?: number[];
}

/**
 * The leader arm drives the follower: each cycle reads the leader (one sync read), passes the
 * positions through the safety layer and writes them to the follower (one sync write).
 */
export function leaderFollowerTeleop(opts: LeaderFollowerOptions): TeleopLoop {
  const fj = opts.follower.features.joints;
  if (opts.leader.joints.length !== fj.length || opts.leader.joints.some((j, i) => j !== fj[i])) {
    throw new Error(
      `Leader joints (${opts.leader.joints.join(', ')}) do not match the follower's (${fj.join(', ')}): use a leader of the same arm type`,
    );
  }
  return new TeleopLoop({
    robot: opts.follower,
    source: () => opts.leader.getAction(),
    ...(opts.safety ? { safety: opts.safety } : {}),
    ...(opts.hz ? { hz: opts.hz } : {}),
    ...(opts.maxSpeed ? { maxSpeed: opts.maxSpeed } : {}),
  });
}
