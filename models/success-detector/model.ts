import type { ModelDef, ParamSpec } from '../../core/nn/model';
import * as op from '../../core/nn/ops';
import type { Tensor } from '../../core/nn/tensor';

export const SUCCESS_DETECTOR = 'success-detector';

export interface SuccessDetectorConfig {
  /** Square image side (front and wrist cameras, RGB uint8 HWC); a multiple of 8. */
  imageSize: number;
  /** Camera names the detector looks at, in input order. */
  cameras: string[];
}

export const DEFAULT_SUCCESS_DETECTOR: SuccessDetectorConfig = { imageSize: 64, cameras: ['front', 'wrist'] };

const CHANNELS = [16, 32, 32];

/**
 * A small image classifier: per camera 3 conv/ReLU/max-pool blocks and global average pooling,
 * concatenated, then a linear layer to 2 logits (fail, success). The RL loop can use it as a
 * learned reward where no simulator oracle or human label is available.
 */
export function successDetector(c: SuccessDetectorConfig = DEFAULT_SUCCESS_DETECTOR): ModelDef {
  if (c.imageSize % 8)
    throw new Error(`success detector: imageSize must be a multiple of 8, got ${c.imageSize}`);
  const params: ParamSpec[] = [];
  for (const cam of c.cameras) {
    let cin = 3;
    CHANNELS.forEach((co, i) => {
      params.push({
        name: `${cam}.conv${i}.w`,
        shape: [co, cin, 3, 3],
        init: { kind: 'normal', std: Math.sqrt(2 / (cin * 9)) },
      });
      params.push({ name: `${cam}.conv${i}.b`, shape: [co], init: { kind: 'zeros' } });
      cin = co;
    });
  }
  const feat = CHANNELS[CHANNELS.length - 1]! * c.cameras.length;
  params.push({ name: 'out.w', shape: [feat, 2], init: { kind: 'normal', std: Math.sqrt(1 / feat) } });
  params.push({ name: 'out.b', shape: [2], init: { kind: 'zeros' } });
  return {
    name: SUCCESS_DETECTOR,
    inputs: c.cameras.map((cam) => ({
      name: cam,
      shape: [c.imageSize, c.imageSize, 3],
      dtype: 'uint8' as const,
    })),
    params,
    outputs: ['logits', 'p_success'],
    forward: (inputs, p) => {
      const feats = c.cameras.map((cam) => {
        let x: Tensor = op.sub(
          op.mul(op.transpose(op.cast(inputs[cam]!, 'float32'), [0, 3, 1, 2]), 1 / (255 * 0.25)),
          2,
        );
        CHANNELS.forEach((_, i) => {
          x = op.maxPool(op.relu(op.conv2d(x, p[`${cam}.conv${i}.w`]!, p[`${cam}.conv${i}.b`], { pad: 1 })), {
            kernel: 2,
          });
        });
        return op.flatten(op.globalAveragePool(x));
      });
      const logits = op.linear(op.concat(feats, 1), p['out.w']!, p['out.b']);
      const pSuccess = op.slice(op.softmax(logits), [1], [2], [1]);
      return { logits, p_success: op.reshape(pSuccess, [-1]) };
    },
  };
}
