import { afterAll, describe, expect, it } from 'vitest';
import { createTaskEnv, HOME_STATE, type TaskEnv } from '../../core/sim/env';
import { EpisodeStages } from '../../core/sim/episode-stages';
import { PushingExpert, runExpertEpisode } from '../../core/sim/experts';

const envs: TaskEnv[] = [];
afterAll(() => {
  for (const e of envs) e.close();
});

async function stagesOf(task: string, play: (env: TaskEnv) => void) {
  const env = await createTaskEnv({ task, cameras: false });
  envs.push(env);
  env.reset(3);
  const stages = new EpisodeStages(env.info());
  const step = env.step.bind(env);
  env.step = (a, o) => {
    const r = step(a, o);
    stages.observe(r.info);
    return r;
  };
  play(env);
  return stages.reached;
}

describe('how far an episode got', () => {
  it('a grasping expert touches, grasps and lifts the cube', async () => {
    const reached = await stagesOf('lift_red_cube', (env) => {
      expect(runExpertEpisode(env, 3).success).toBe(true);
    });
    expect(reached).toEqual({ touched: true, grasped: true, lifted: true });
  });

  it('pushing the cube touches it without grasping; an arm held at home reaches nothing', async () => {
    const push = await stagesOf('red_cube_to_green_zone', (env) => {
      runExpertEpisode(env, 3, new PushingExpert());
    });
    expect(push).toEqual({ touched: true, grasped: false, lifted: false });
    const idle = await stagesOf('lift_red_cube', (env) => {
      for (let t = 0; t < 30; t++) env.step(HOME_STATE);
    });
    expect(idle).toEqual({ touched: false, grasped: false, lifted: false });
  });
});
