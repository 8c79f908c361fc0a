import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { JobInfo } from '../../api/contract';
import { CliError } from '../errors';
import { interruptSignal, progressBar } from '../progress';
import type { DemoReport } from '../report';
import { LAYOUT_SPREAD_HELP, layoutSpread, parseTasks, positiveInt } from './record';

interface DemoOptions {
  out: string;
  tasks: string;
  demos: number;
  sftSteps: number;
  updates: number;
  groupSize: number;
  groupsPerBatch: number;
  evalEpisodes: number;
  minutes: number;
  layoutSpread: number;
  anywhere?: boolean;
  tiny?: boolean;
}

const TINY = {
  tasks: 'press_button',
  demos: 2,
  sftSteps: 10,
  updates: 1,
  groupSize: 2,
  groupsPerBatch: 1,
  evalEpisodes: 1,
};

export function demoCommand(cli: Command): void {
  cli
    .command('demo')
    .description(
      'the whole loop in the simulator: scripted demos -> SFT -> RL -> pushcut analysis -> an HTML report',
    )
    .option('-o, --out <dir>', 'folder for datasets, runs and the report', 'pushcut-demo')
    .option(
      '-t, --tasks <ids>',
      'comma-separated task ids, or "all"',
      'press_button,lift_red_cube,red_cube_to_green_zone',
    )
    .option('--demos <n>', 'scripted demonstrations per task', positiveInt('--demos'), 5)
    .option('--sft-steps <n>', 'SFT steps', positiveInt('--sft-steps'), 400)
    .option(
      '--updates <n>',
      'RL updates (at most; --minutes may stop RL earlier)',
      positiveInt('--updates'),
      12,
    )
    .option('--group-size <n>', 'rollouts per initial state', positiveInt('--group-size'), 8)
    .option('--groups-per-batch <n>', 'groups kept per RL batch', positiveInt('--groups-per-batch'), 4)
    .option('--eval-episodes <n>', 'greedy evaluation episodes per task', positiveInt('--eval-episodes'), 10)
    .option('--minutes <n>', 'time budget for RL', positiveInt('--minutes'), 6)
    .option(
      '--layout-spread <m>',
      LAYOUT_SPREAD_HELP.replace('default anywhere', 'default 0.025'),
      layoutSpread('--layout-spread'),
      0.025,
    )
    .option('--anywhere', 'objects anywhere in the workspace instead (much harder from a few demos)')
    .option('--tiny', 'a seconds-long run of every stage (for a smoke test)')
    .action(async (raw: DemoOptions) => {
      const o = raw.tiny ? { ...raw, ...TINY } : raw;
      const tasks = parseTasks(o.tasks);
      const out = resolve(o.out);
      mkdirSync(out, { recursive: true });
      process.env.PUSHCUT_HOME = out; // datasets/ and runs/ of this demo live in its folder
      const signal = interruptSignal();
      const { runDemo } = await import('./demo-run');
      const { anywhere, ...rest } = o;
      const report = await runDemo({
        ...rest,
        layoutSpread: anywhere ? undefined : o.layoutSpread,
        tasks,
        out,
        signal,
      });
      console.log(`\nReport: ${report}`);
    });
}

export interface DemoRunArgs extends Omit<DemoOptions, 'tasks' | 'layoutSpread' | 'anywhere'> {
  tasks: string[];
  /** Objects within this many metres of one nominal scene; undefined: anywhere in the workspace. */
  layoutSpread: number | undefined;
  signal: AbortSignal;
}

/** Wait for a Studio job to end, showing its progress. */
export function waitJob(
  on: (l: (j: JobInfo) => void) => () => void,
  jobId: string,
  label: string,
): Promise<JobInfo> {
  const bar = progressBar(label, 100);
  return new Promise((resolvePromise, reject) => {
    const off = on((j) => {
      if (j.id !== jobId) return;
      bar.update(Math.round(j.progress * 100), j.message);
      if (j.state === 'running' || j.state === 'queued') return;
      off();
      bar.stop();
      if (j.state === 'failed') reject(new CliError(`${label} failed: ${j.message}`));
      else resolvePromise(j);
    });
  });
}

export type { DemoReport };
export const demoPaths = (out: string) => ({ demos: join(out, 'datasets', 'demos') });
