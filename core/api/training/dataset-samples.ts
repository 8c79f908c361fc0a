import { resizeRgb } from '../../../models/tiny-vla/policy';
import { type DatasetReader, openDataset } from '../../data';
import type { CameraFrame } from '../../hardware/robot';
import type { SftSample } from '../../rl/sft';

export interface SampleOptions {
  /** Actions per chunk the policy predicts (tiny-vla: 8). */
  chunk?: number;
  /** Square image side the policy takes; frames of another size are resized. */
  imageSize?: number;
  /** Which episodes teach the policy: by default demos not labelled as failures. */
  include?: (e: { source: string | null; success: boolean | null }) => boolean;
  onEpisode?: (done: number, total: number) => void;
}

const defaultInclude = (e: { source: string | null; success: boolean | null }) =>
  (e.source ?? 'demo') === 'demo' && e.success !== false;

/**
 * Supervised examples from a LeRobotDataset: at every frame, both camera images, the joint state,
 * the task instruction and the next `chunk` commanded actions (the last one repeated past the end).
 */
export async function samplesFromDataset(root: string, options: SampleOptions = {}): Promise<SftSample[]> {
  const reader = await openDataset(root);
  const chunk = options.chunk ?? 8;
  const include = options.include ?? defaultInclude;
  const episodes = reader.listEpisodes().filter(include);
  if (episodes.length === 0) {
    throw new Error(
      `${root} has no episodes to learn from (demos not labelled as failures): record some demos first`,
    );
  }
  const cams = cameraPair(reader);
  const samples: SftSample[] = [];
  for (const [n, e] of episodes.entries()) {
    const data = await reader.loadEpisode(e.index);
    const front = await reader.loadVideoFrames(e.index, cams.front);
    const wrist = await reader.loadVideoFrames(e.index, cams.wrist);
    const frames = Math.min(data.length, front.length, wrist.length);
    for (let t = 0; t < frames; t++) {
      const actionChunk: number[][] = [];
      for (let k = 0; k < chunk; k++) actionChunk.push([...data.action[Math.min(t + k, data.length - 1)]!]);
      samples.push({
        front: square(front[t]!, options.imageSize),
        wrist: square(wrist[t]!, options.imageSize),
        state: [...data.state[t]!],
        instruction: reader.tasks[data.taskIndex[t] ?? 0] ?? e.tasks[0] ?? '',
        step: t,
        actionChunk,
      });
    }
    options.onEpisode?.(n + 1, episodes.length);
  }
  return samples;
}

function cameraPair(reader: DatasetReader): { front: string; wrist: string } {
  const keys = reader.videoKeys;
  const find = (name: string) => keys.find((k) => k.endsWith(`.${name}`));
  const front = find('front') ?? keys[0];
  const wrist = find('wrist') ?? keys[1] ?? keys[0];
  if (!front || !wrist) {
    throw new Error(`${reader.root} has no camera videos; the policy needs a front and a wrist camera`);
  }
  return { front, wrist };
}

function square(frame: CameraFrame, size?: number): Uint8Array {
  const side = size ?? Math.min(frame.width, frame.height);
  return resizeRgb(frame.data, frame.width, frame.height, side, side);
}
