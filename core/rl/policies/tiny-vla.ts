import type { TinyVlaConfig } from '../../../models/tiny-vla/config';
import { tinyVla } from '../../../models/tiny-vla/model';
import { encodeObservations, resizeRgb } from '../../../models/tiny-vla/policy';
import { detokenizeActions, tokenizeActions } from '../../../models/tiny-vla/tokenizer';
import type { CameraFrame } from '../../hardware/robot';
import type { AnchorDecision } from '../grpo/demo-anchor';
import { splitBatch } from '../grpo/rows';
import type { PolicyObservation, TokenPolicy } from '../policy';
import type { SftSample } from '../sft/types';

function cameraImage(frame: CameraFrame | undefined, name: string, side: number): Uint8Array {
  if (!frame) {
    throw new Error(
      `tiny-vla needs a "${name}" camera image; the robot or simulator gave none (enable cameras for RL with a vision policy)`,
    );
  }
  return resizeRgb(frame.data, frame.width, frame.height, side, side);
}

/** tiny-vla (models/tiny-vla) as a TokenPolicy for GRPO: same graph, same tokenizer, same bins. */
export function tinyVlaTokenPolicy(config: TinyVlaConfig): TokenPolicy {
  return {
    model: tinyVla(config),
    logitsOutput: 'logits',
    chunk: config.chunk,
    actionDims: config.actionDim,
    bins: config.bins,
    spec: { kind: 'tiny-vla', config },
    encode: (obs: readonly PolicyObservation[]) =>
      encodeObservations(
        config,
        obs.map((o) => ({
          front: cameraImage(o.images.front, 'front', config.imageSize),
          wrist: cameraImage(o.images.wrist, 'wrist', config.imageSize),
          state: o.state,
          instruction: o.instruction,
          step: o.step,
        })),
      ),
    decode: (tokens) => detokenizeActions(tokens, config),
  };
}

/** SFT samples as demo decisions for GRPO's behaviour-cloning anchor (grpo/demo-anchor). */
export function tinyVlaAnchorDecisions(
  config: TinyVlaConfig,
  samples: readonly SftSample[],
): AnchorDecision[] {
  const inputs = splitBatch(encodeObservations(config, samples), samples.length);
  return samples.map((s, i) => ({
    inputs: inputs[i] as AnchorDecision['inputs'],
    tokens: Int32Array.from(tokenizeActions(s.actionChunk, config.actionStats, config.bins)),
  }));
}
