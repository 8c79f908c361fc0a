import { KOCH_FOLLOWER, KOCH_LEADER } from './koch';
import { ServoArmFollower, ServoArmLeader, type ServoArmOptions } from './servo-arm';
import { SO101_FOLLOWER, SO101_LEADER } from './so101';

/** SO-101 (or SO-100) follower on a Feetech bus. */
export class SO101Follower extends ServoArmFollower {
  constructor(opts: ServoArmOptions) {
    super(SO101_FOLLOWER, opts);
  }
}

/** SO-101 leader arm (teleoperator). */
export class SO101Leader extends ServoArmLeader {
  constructor(opts: ServoArmOptions) {
    super(SO101_LEADER, opts);
  }
}

/** Koch v1.1 follower on a Dynamixel bus. */
export class KochFollower extends ServoArmFollower {
  constructor(opts: ServoArmOptions) {
    super(KOCH_FOLLOWER, opts);
  }
}

/** Koch v1.1 leader arm. */
export class KochLeader extends ServoArmLeader {
  constructor(opts: ServoArmOptions) {
    super(KOCH_LEADER, opts);
  }
}

/** The SO-100 uses the same motors, ids and calibration procedure as the SO-101. */
export const SO100Follower = SO101Follower;
export const SO100Leader = SO101Leader;
