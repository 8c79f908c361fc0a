/** Plain data the pushcut tracker works on: per-frame records in, signatures and reports out. */

export type Vec3 = [number, number, number];

/**
 * One recorded frame of an episode. Only `state` is required (LeRobot SO-101 units: joint degrees,
 * gripper 0 closed..100 open). The simulator also fills the optional fields; a physical arm usually
 * has none of them, and the signature then falls back to forward kinematics and gripper behaviour.
 */
export interface PushcutFrame {
  state: number[];
  /** End-effector position in metres (any fixed frame, the same for every episode compared). */
  eePos?: Vec3;
  /** Object positions in metres, by object name. */
  objects?: Record<string, Vec3>;
  /** Both gripper fingers touch an object. */
  graspContact?: boolean;
  /** Objects the gripper touched during this frame. */
  objectContacts?: string[];
  /**
   * The commanded joint targets for this frame (same units as `state`), when recorded. Joints-only
   * evidence then tells a jaw stopped by an object (commanded well below where it stalls) from a
   * jaw merely commanded half open.
   */
  action?: number[];
}

export interface PushcutEpisode {
  id: string;
  /** RL step (policy update index) the rollout was collected at; demos may leave it out. */
  rlStep?: number;
  success: boolean;
  frames: PushcutFrame[];
}

/**
 * Discrete behaviour symbols, in the order they happen:
 * - `open` / `close`: the gripper opened / closed on nothing;
 * - `grasp`: the gripper closed on an object and was stopped by it;
 * - `lift`: a held object (or, joints only, the closed hand) rose;
 * - `carry`: a held object moved sideways;
 * - `release`: the gripper opened while holding;
 * - `push`: an object moved while the gripper touched it without holding it (simulator contacts);
 * - `sweep`: the hand moved sideways low over the table while not holding (joints-only stand-in
 *   for `push`, where contacts are unknown);
 * - `knock`: an object moved with no gripper contact (hit by the arm, another object, or rolled).
 */
export type EventSymbol =
  | 'open'
  | 'close'
  | 'grasp'
  | 'lift'
  | 'carry'
  | 'release'
  | 'push'
  | 'sweep'
  | 'knock';

export interface BehaviourEvent {
  symbol: EventSymbol;
  /** Frame index where the event starts. */
  frame: number;
  /** The object concerned, when known. */
  object?: string;
}

export type ObjectMotionMode = 'carried' | 'pushed' | 'knocked' | 'still';

export interface ObjectMotion {
  /** How the object mostly moved: carried (while held), pushed (touched, not held), knocked (no contact). */
  mode: ObjectMotionMode;
  /** Metres travelled in each mode. */
  carried: number;
  pushed: number;
  knocked: number;
  /** Straight-line distance from the first to the last frame, metres. */
  net: number;
}

/** Which evidence a signature was built from: simulator contacts and object poses, or joints only. */
export type Evidence = 'contacts' | 'joints';

export interface BehaviourSignature {
  evidence: Evidence;
  /** Where the path came from: recorded end-effector positions or SO-101 forward kinematics. */
  pathSource: 'eePos' | 'fk';
  /** End-effector path resampled to equal arc-length steps, metres. */
  path: Vec3[];
  /** Total end-effector path length, metres. */
  pathLength: number;
  events: BehaviourEvent[];
  /** Event symbols with consecutive repeats collapsed: the strategy's "sentence". */
  symbols: EventSymbol[];
  /** Per-object motion summary (empty for joints-only evidence). */
  objects: Record<string, ObjectMotion>;
  frameCount: number;
}
