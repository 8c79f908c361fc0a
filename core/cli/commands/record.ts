import { resolve } from 'node:path';
import type { Command } from 'commander';
import { listTasks } from '../../sim/env';
import { CliError } from '../errors';
import { interruptSignal, progressBar } from '../progress';
import { parseRobotTarget, type RobotFlags, robotOptions } from '../robot';

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

export function positiveNumber(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0)
      throw new CliError(`${flag} must be a number of seconds >= 0, got "${v}"`, 2);
    return n;
  };
}

/** TaskEnvOptions.layoutSpread from a flag: metres in [0, 0.1], as the API accepts it. */
export function layoutSpread(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 0.1)
      throw new CliError(
        `${flag} must be metres between 0 and 0.1 (LIBERO-style regions: 0.025), got "${v}"`,
        2,
      );
    return n;
  };
}

/** The simulator's LIBERO-style layout option, shared by record, train, eval and demo. */
export const LAYOUT_SPREAD_HELP =
  'simulator: objects within this many metres of one nominal scene, LIBERO-style (e.g. 0.025; default anywhere)';

export function recordCommand(cli: Command): void {
  const cmd = cli
    .command('record')
    .description(
      'record demonstrations into a LeRobotDataset: in the simulator the scripted experts drive the arm; on a serial or ROS arm a person teleoperates (--leader) and keys save, redo or stop episodes',
    )
    .requiredOption('-d, --dataset <path>', 'dataset folder (created, or appended to)');
  robotOptions(cmd)
    .option('-t, --tasks <ids>', 'simulator: comma-separated task ids, or "all"', 'all')
    .option('-n, --episodes <n>', 'episodes (simulator: per task)', positiveInt('--episodes'), 5)
    .option('--seed <n>', 'simulator: first scene seed', (v) => Number(v), 0)
    .option(
      '--camera-size <px>',
      'camera image side (default 64 in the simulator, 128 on a robot)',
      positiveInt('--camera-size'),
    )
    .option('--layout-spread <m>', LAYOUT_SPREAD_HELP, layoutSpread('--layout-spread'))
    .option('--task <instruction>', 'robot: what the person demonstrates, stored with each episode')
    .option('--episode-s <s>', 'robot: seconds per episode', positiveNumber('--episode-s'), 20)
    .option(
      '--reset-s <s>',
      'robot: seconds to reset the scene between episodes',
      positiveNumber('--reset-s'),
      10,
    )
    .option('--leader <port>', 'robot: leader arm on this serial port drives the follower')
    .option('--leader-calibration <file>', 'leader arm: LeRobot calibration JSON')
    .option('--leader-id <id>', 'leader arm: its LeRobot id (names its calibration file)', 'default')
    .action(
      async (
        opts: RobotFlags & {
          dataset: string;
          tasks: string;
          episodes: number;
          seed: number;
          cameraSize?: number;
          layoutSpread?: number;
          task?: string;
          episodeS: number;
          resetS: number;
          leader?: string;
          leaderCalibration?: string;
          leaderId: string;
        },
      ) => {
        if (parseRobotTarget(opts.robot).kind !== 'sim') {
          const { recordOnHardware } = await import('./record-hardware');
          await recordOnHardware(opts);
          return;
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
          cameraSize: opts.cameraSize ?? 64,
          layoutSpread: opts.layoutSpread,
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
