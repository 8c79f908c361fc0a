/** A source of joint targets driven by a person: a leader arm, keyboard, gamepad. */
export interface Teleoperator {
  /** Joint names in action order (same as the follower's `features.joints`). */
  readonly joints: readonly string[];
  connect(): Promise<void>;
  /** The current action in the follower's units (degrees; gripper 0..100). */
  getAction(): Promise<number[]>;
  close(): Promise<void>;
}
