import type { CameraFrame } from '../../core/hardware/robot';
import type { HostTensor } from '../../core/nn/runtime';
import type { PolicyObservation, TokenPolicy } from '../../core/rl/policy';
import type { TinyVlaConfig } from './config';
import { tinyVla } from './model';
import { encodeObservations, resizeRgb } from './policy';
import { detokenizeActions } from './tokenizer';

function cameraBytes(frame: CameraFrame | undefined, name: string, size: number): Uint8Array {
  if (!frame) throw new Error(`tiny-vla needs a "${name}" camera image; the observation has none`);
  if (frame.data.length !== frame.width * frame.height * 3) {
    throw new Error(
      `camera "${name}": ${frame.data.length} bytes for ${frame.width}x${frame.height} is not RGB`,
    );
  }
  return resizeRgb(frame.data, frame.width, frame.height, size, size);
}

/** tiny-vla as the RL trainer's TokenPolicy (front + wrist cameras, instruction, state). */
export function tinyVlaTokenPolicy(config: TinyVlaConfig): TokenPolicy {
  return {
    model: tinyVla(config),
    logitsOutput: 'logits',
    chunk: config.chunk,
    actionDims: config.actionDim,
    bins: config.bins,
    encode(obs: readonly PolicyObservation[]): Record<string, HostTensor> {
      return encodeObservations(
        config,
        obs.map((o) => ({
          front: cameraBytes(o.images.front, 'front', config.imageSize),
          wrist: cameraBytes(o.images.wrist, 'wrist', config.imageSize),
          state: o.state,
          instruction: o.instruction,
        })),
      );
    },
    decode: (tokens: Int32Array) => detokenizeActions(tokens, config),
  };
}
