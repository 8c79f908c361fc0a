/** Per-dimension robust bounds (1st / 99th percentile) used to normalise to [-1, 1]. */
export interface QuantileStats {
  q01: number[];
  q99: number[];
}

/** The instruction encoders (`TinyVlaConfig.text`). */
export const INSTRUCTION_ENCODERS = ['mean', 'positional'] as const;
export type InstructionEncoder = (typeof INSTRUCTION_ENCODERS)[number];

export interface TinyVlaConfig {
  /** Square camera image side in pixels (both cameras; RGB uint8, HWC). */
  imageSize: number;
  /** Steps per predicted action chunk. */
  chunk: number;
  /** Action / joint-state dimensions (6 for SO-101: 5 joints + gripper). */
  actionDim: number;
  /** Discrete bins per action dimension over [-1, 1]. */
  bins: number;
  /** Instruction word vocabulary; index 0 is padding, 1 unknown. */
  vocab: string[];
  /** Instruction length in tokens (padded / truncated). */
  maxTokens: number;
  stateStats: QuantileStats;
  actionStats: QuantileStats;
  /** Feature names of state / action dims (LeRobot naming). */
  stateNames: string[];
  actionNames: string[];
  /**
   * Camera encoder: `keypoints` (default) keeps a 16x16 feature map and turns each channel into
   * the expected image position of its activation (spatial softmax), which tells the policy where
   * objects are; `flat` (older models) downsamples to a 1/16 map and flattens it.
   */
  encoder?: 'flat' | 'keypoints';
  /**
   * Feed the joint state to the policy (absent in older models' configs: true). Off by default for
   * new ones: with absolute joint targets a policy that sees the state learns to copy it (the targets
   * are always near the current pose) and stalls mid-motion; from the images alone it must read
   * the phase of the task from what it sees.
   */
  stateInput?: boolean;
  /**
   * Instruction encoder: `mean` (default; older models) averages the word embeddings, so word order
   * is lost ("stack the red cube on the blue cube" equals "... blue ... on the red cube");
   * `positional` projects the embeddings of all `maxTokens` positions together, which keeps it.
   */
  text?: InstructionEncoder;
  /**
   * Feed the episode clock (env steps since the episode began) to the policy (default false). The
   * images alone can look alike in two phases of a task (after dropping the first cube in the bowl
   * and while carrying it there), and a deterministic policy then cycles between them; the clock
   * tells them apart. Models with it take a `clock` input [N, 1].
   */
  clockInput?: boolean;
  /** Widths: camera embedding, text/state embedding, fused context, head hidden. */
  width: { image: number; text: number; context: number; head: number };
}

export const SO101_NAMES = [
  'shoulder_pan.pos',
  'shoulder_lift.pos',
  'elbow_flex.pos',
  'wrist_flex.pos',
  'wrist_roll.pos',
  'gripper.pos',
];

export function defaultTinyVlaConfig(over: Partial<TinyVlaConfig> = {}): TinyVlaConfig {
  const actionDim = over.actionDim ?? 6;
  const unit: QuantileStats = { q01: new Array(actionDim).fill(-1), q99: new Array(actionDim).fill(1) };
  const names = actionDim === 6 ? SO101_NAMES : Array.from({ length: actionDim }, (_, i) => `joint_${i}.pos`);
  return {
    imageSize: 64,
    chunk: 8,
    actionDim,
    bins: 256,
    vocab: ['<pad>', '<unk>'],
    maxTokens: 12,
    stateStats: unit,
    actionStats: unit,
    stateNames: names,
    actionNames: names,
    width: { image: 128, text: 64, context: 256, head: 128 },
    encoder: 'keypoints',
    stateInput: false,
    ...over,
  };
}

/** Throw a clear error if a configuration is inconsistent. */
export function validateConfig(c: TinyVlaConfig): void {
  const bad = (why: string): never => {
    throw new Error(`tiny-vla config: ${why}`);
  };
  if (c.imageSize < 16 || c.imageSize % 16)
    bad(`imageSize must be a multiple of 16 (>= 16), got ${c.imageSize}`);
  if (c.vocab[0] !== '<pad>' || c.vocab[1] !== '<unk>') bad('vocab must start with "<pad>", "<unk>"');
  for (const [k, s] of [
    ['stateStats', c.stateStats],
    ['actionStats', c.actionStats],
  ] as const) {
    if (s.q01.length !== c.actionDim || s.q99.length !== c.actionDim)
      bad(`${k} needs ${c.actionDim} values per bound`);
  }
  if (c.bins < 2) bad('bins must be >= 2');
  if (c.text !== undefined && !INSTRUCTION_ENCODERS.includes(c.text))
    bad(`text must be ${INSTRUCTION_ENCODERS.map((t) => `"${t}"`).join(' or ')}, got "${c.text}"`);
}
