import { resolve } from 'node:path';
import type { Command } from 'commander';
import { listTasks } from '../../sim/env';
import { CliError } from '../errors';
import { interruptSignal, progressBar } from '../progress';

export function parseTasks(value: string | undefined): string[] {
  const known = listTasks().map((t) => t.id);
  if (!value || value === 'all') return known;
  const tasks = value.split(',').map((t) => t.trim());
  const unknown = tasks.filter((t) => !known.includes(t));
  if (unknown.length > 0)
    throw new CliError(`Unknown task(s) ${unknown.join(', ')}; tasks: ${known.join(', ')}`, 2);
  return tasks;
}

export function positiveInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new CliError(`${flag} must be a whole number >= 1, got "${v}"`, 2);
    return n;
  };
}

export function recordCommand(cli: Command): void {
  cli
    .command('record')
    .description(
      'record demonstrations into a LeRobotDataset (simulator: the scripted experts drive the arm)',
    )
    .requiredOption('-d, --dataset <path>', 'dataset folder (created, or appended to)')
    .option('--robot <backend>', 'robot backend: sim', 'sim')
    .option('-t, --tasks <ids>', 'comma-separated task ids, or "all"', 'all')
    .option('-n, --episodes <n>', 'episodes per task', positiveInt('--episodes'), 5)
    .option('--seed <n>', 'first scene seed', (v) => Number(v), 0)
    .option('--camera-size <px>', 'camera image side', positiveInt('--camera-size'), 64)
    .action(
      async (opts: {
        dataset: string;
        robot: string;
        tasks: string;
        episodes: number;
        seed: number;
        cameraSize: number;
      }) => {
        if (opts.robot !== 'sim') {
          throw new CliError(
            `pushcut record drives "${opts.robot}" only through a teleoperator; use the app's Teleop & Record panel for hardware (headless recording supports --robot sim)`,
            2,
          );
        }
        const tasks = parseTasks(opts.tasks);
        const { recordExpertDemos } = await import('../../api/jobs/expert-demos');
        const bar = progressBar('recording', tasks.length * opts.episodes);
        const root = resolve(opts.dataset);
        const r = await recordExpertDemos({
          root,
          tasks,
          episodesPerTask: opts.episodes,
          firstSeed: opts.seed,
          cameraSize: opts.cameraSize,
          signal: interruptSignal(),
          onEpisode: (e) =>
            bar.update(e.done, `${e.task} seed ${e.seed}: ${e.success ? 'success' : 'failure'}`),
        });
        bar.stop();
        console.log(
          `${r.episodes} episodes (${r.successes} successful, ${r.frames} frames) saved in ${root}`,
        );
      },
    );
}
