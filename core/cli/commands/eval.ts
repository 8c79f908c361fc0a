import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { GREEDY_DECODINGS, type GreedyDecoding } from '../../nn/token-sampling';
import { CliError } from '../errors';
import { progressBar } from '../progress';
import { parseRobotTarget, type RobotFlags, robotOptions } from '../robot';
import { LAYOUT_SPREAD_HELP, layoutSpread, parseTasks, positiveInt, positiveNumber } from './record';

export function evalCommand(cli: Command): void {
  const cmd = cli
    .command('eval')
    .description(
      'greedy success rate of a policy: in the simulator per task, or on a serial/ROS arm with a person labelling each episode (s/f)',
    )
    .requiredOption('-p, --policy <path>', 'policy.onnx, or a run folder holding one');
  robotOptions(cmd)
    .option('-t, --tasks <ids>', 'simulator: comma-separated task ids, or "all"', 'all')
    .option('-n, --episodes <n>', 'episodes (simulator: per task)', positiveInt('--episodes'), 10)
    .option('--layout-spread <m>', LAYOUT_SPREAD_HELP, layoutSpread('--layout-spread'))
    .option('--task <instruction>', 'robot: the instruction given to the policy')
    .option(
      '--time-limit <s>',
      'robot: seconds per episode; running out is a failure',
      positiveNumber('--time-limit'),
      30,
    )
    .option(
      '-d, --dataset <path>',
      'robot: dataset the episodes are recorded into (default: <run>/robot-eval)',
    )
    .option(
      '--camera-size <px>',
      "robot: rig camera image side (default: the policy's)",
      positiveInt('--camera-size'),
    )
    .option(
      '--greedy <decoding>',
      'simulator: how each action token is picked, median (its median bin) or argmax',
      greedyDecoding,
      'median',
    )
    .option('--json', 'print JSON')
    .action(
      async (
        opts: RobotFlags & {
          policy: string;
          tasks: string;
          episodes: number;
          layoutSpread?: number;
          json?: boolean;
          task?: string;
          timeLimit: number;
          dataset?: string;
          greedy: GreedyDecoding;
        },
      ) => {
        if (parseRobotTarget(opts.robot).kind !== 'sim') {
          const { evalOnHardware } = await import('./eval-hardware');
          await evalOnHardware({ ...opts, timeLimitS: opts.timeLimit });
          return;
        }
        let path = resolve(opts.policy);
        if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'policy.onnx');
        if (!existsSync(path))
          throw new CliError(`No policy at ${path}: train one with \`pushcut train sft\``);
        const tasks = parseTasks(opts.tasks);
        const { TinyVlaPolicy } = await import('../../../models/tiny-vla/policy');
        const { evaluatePolicy, stageShares } = await import('../../rl/sft');
        const policy = await TinyVlaPolicy.load(path).catch((err: Error) => {
          throw new CliError(err.message);
        });
        const seeds = Array.from({ length: opts.episodes }, (_, i) => 10_000 + i);
        const bar = progressBar('eval', tasks.length);
        const out: Record<string, number> = {};
        const reached: Record<string, Record<string, number>> = {};
        for (const [i, task] of tasks.entries()) {
          const r = (
            await evaluatePolicy(policy, [task], seeds, {
              layoutSpread: opts.layoutSpread,
              greedy: opts.greedy,
            })
          )[task];
          out[task] = r?.successRate ?? 0;
          if (r) reached[task] = stageShares(r);
          bar.update(i + 1, task);
        }
        bar.stop();
        await policy.release();
        const avg = Object.values(out).reduce((a, b) => a + b, 0) / tasks.length;
        const pct = (v = 0) => `${(v * 100).toFixed(0)}%`.padStart(8);
        if (opts.json)
          console.log(JSON.stringify({ successByTask: out, stagesByTask: reached, average: avg }, null, 2));
        else {
          console.log(`${'task'.padEnd(26)} touched grasped  lifted success`);
          for (const [t, v] of Object.entries(out)) {
            const s = reached[t] ?? {};
            console.log(`${t.padEnd(26)}${pct(s.touched)}${pct(s.grasped)}${pct(s.lifted)}${pct(v)}`);
          }
          console.log(`${'average'.padEnd(26)}${' '.repeat(24)}${pct(avg)}`);
        }
      },
    );
}

function greedyDecoding(value: string): GreedyDecoding {
  if (!(GREEDY_DECODINGS as readonly string[]).includes(value))
    throw new CliError(`--greedy must be one of ${GREEDY_DECODINGS.join(', ')}, got "${value}"`, 2);
  return value as GreedyDecoding;
}
