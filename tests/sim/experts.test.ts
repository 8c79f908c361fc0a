import { describe, expect, it } from 'vitest';
import { listTasks } from '../../core/sim/env';
import { type ExpertEvaluation, evaluateExpertsInWorkers } from '../../core/sim/experts/evaluate';
import { BASE_TASKS } from '../../core/sim/tasks/suite';

const SEEDS = 100;
const STYLED_SEEDS = 25;

describe('scripted experts over 100 seeds per task (cameras off, 2 worker threads)', () => {
  let results: ExpertEvaluation[] = [];
  const tasks = listTasks().map((t) => t.id);

  it('run every grasping expert (nominal and styled) and the pusher', { timeout: 170_000 }, async () => {
    const jobs = [
      // Longest first, so the two workers finish together.
      ...tasks
        .map((taskId) => ({ taskId, expert: 'grasp' as const }))
        .sort(
          (a, b) => Number(b.taskId === 'both_cubes_in_bowl') - Number(a.taskId === 'both_cubes_in_bowl'),
        ),
      { taskId: 'red_cube_to_green_zone', expert: 'push' as const },
      ...tasks.map((taskId) => ({ taskId, expert: 'styled' as const, seeds: STYLED_SEEDS })),
      ...BASE_TASKS.map((t) => ({ taskId: t.id, expert: 'grasp' as const, seeds: STYLED_SEEDS })),
    ];
    results = await evaluateExpertsInWorkers(jobs, SEEDS, 2);
    for (const r of results) {
      console.log(
        `${r.taskId} (${r.expert}): ${r.successes}/${r.seeds}, ${r.meanSteps.toFixed(0)} steps/episode, failed seeds [${r.failedSeeds.join(',')}]`,
      );
    }
    expect(results).toHaveLength(2 * tasks.length + 1 + BASE_TASKS.length);
  });

  it('the suite has at least 6 tasks', () => {
    expect(tasks.length).toBeGreaterThanOrEqual(6);
  });

  it.each(listTasks().map((t) => t.id))('%s: the grasping expert succeeds on >= 95%% of seeds', (taskId) => {
    const r = results.find((x) => x.taskId === taskId && x.expert === 'grasp');
    expect(r, 'evaluation ran').toBeDefined();
    expect(r!.successes / r!.seeds).toBeGreaterThanOrEqual(0.95);
  });

  it.each(BASE_TASKS.map((t) => t.id))(
    '%s (pretraining task outside the suite): the expert succeeds on >= 95%% of seeds',
    (taskId) => {
      const r = results.find((x) => x.taskId === taskId);
      expect(r, 'evaluation ran').toBeDefined();
      expect(r!.successes / r!.seeds).toBeGreaterThanOrEqual(0.95);
    },
  );

  it('experts with a random motion style (demo variety) still succeed on >= 90% of seeds', () => {
    const styled = results.filter((x) => x.expert === 'styled');
    expect(styled).toHaveLength(tasks.length);
    for (const r of styled) expect(r.successes / r.seeds, r.taskId).toBeGreaterThanOrEqual(0.9);
  });

  it('no task counts as solved right after reset', () => {
    for (const r of results) expect(r.solvedAtReset, r.taskId).toEqual([]);
  });

  it('pick-and-place experts really grasp (both fingers on the object)', () => {
    for (const r of results.filter((x) => x.expert === 'grasp' && x.taskId !== 'press_button')) {
      expect(r.episodesWithGrasp, r.taskId).toBeGreaterThanOrEqual(r.successes);
    }
  });

  it('the pusher moves the cube into the zone on >= 95% of seeds without ever grasping', () => {
    const r = results.find((x) => x.expert === 'push');
    expect(r).toBeDefined();
    expect(r!.successes / r!.seeds).toBeGreaterThanOrEqual(0.95);
    expect(r!.episodesWithGrasp).toBe(0);
  });
});
