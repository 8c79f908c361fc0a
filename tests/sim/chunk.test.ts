import { describe, expect, it } from 'vitest';
import { playChunk } from '../../core/sim/chunk';
import type { EnvObservation, StepOptions, TaskEnv } from '../../core/sim/env';

/** A counter env (unit test): state = steps taken, success at step `successAt`, one 1x1 camera. */
function counterEnv(successAt: number) {
  let steps = 0;
  let renders = 0;
  const observe = (withImages = true): EnvObservation => {
    if (withImages) renders++;
    const frame = { width: 1, height: 1, data: new Uint8Array([steps, 0, 0]) };
    return { state: [steps], images: withImages ? { front: frame } : {} };
  };
  const env = {
    step: (_a: number[], opts: StepOptions = {}) => {
      steps++;
      return { obs: observe(opts.images ?? true), success: steps >= successAt, info: {} };
    },
    observe: () => observe(),
  } as unknown as TaskEnv;
  return { env, renders: () => renders };
}

const actions = [[1], [2], [3], [4]];

describe('playChunk', () => {
  it("renders only the last step with images 'last'", () => {
    const { env, renders } = counterEnv(99);
    const steps = playChunk(env, actions, 10, 'last');
    expect(steps.map((s) => s.obs.state[0])).toEqual([1, 2, 3, 4]);
    expect(steps.map((s) => Object.keys(s.obs.images))).toEqual([[], [], [], ['front']]);
    expect(steps[3]?.obs.images.front?.data[0]).toBe(4);
    expect(renders()).toBe(1);
  });

  it('stops on success, and that step carries the images', () => {
    const { env } = counterEnv(2);
    const steps = playChunk(env, actions, 10, 'last');
    expect(steps.map((s) => [s.obs.state[0], s.success, 'front' in s.obs.images])).toEqual([
      [1, false, false],
      [2, true, true],
    ]);
  });

  it('stops at the step limit; a limit of 0 plays nothing', () => {
    const { env, renders } = counterEnv(99);
    expect(playChunk(env, actions, 0, 'all')).toEqual([]);
    const steps = playChunk(env, actions, 3, 'all');
    expect(steps.map((s) => 'front' in s.obs.images)).toEqual([true, true, true]);
    expect(renders()).toBe(3);
  });
});
