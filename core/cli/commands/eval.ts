import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../errors';
import { progressBar } from '../progress';
import { parseTasks, positiveInt } from './record';

export function evalCommand(cli: Command): void {
  cli
    .command('eval')
    .description('greedy success rate of a policy in the simulator, per task')
    .requiredOption('-p, --policy <path>', 'policy.onnx, or a run folder holding one')
    .option('-t, --tasks <ids>', 'comma-separated task ids, or "all"', 'all')
    .option('-n, --episodes <n>', 'episodes per task', positiveInt('--episodes'), 10)
    .option('--json', 'print JSON')
    .action(async (opts: { policy: string; tasks: string; episodes: number; json?: boolean }) => {
      let path = resolve(opts.policy);
      if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'policy.onnx');
      if (!existsSync(path)) throw new CliError(`No policy at ${path}: train one with \`pushcut train sft\``);
      const tasks = parseTasks(opts.tasks);
      const { TinyVlaPolicy } = await import('../../../models/tiny-vla/policy');
      const { evaluatePolicy } = await import('../../rl/sft');
      const policy = await TinyVlaPolicy.load(path).catch((err: Error) => {
        throw new CliError(err.message);
      });
      const seeds = Array.from({ length: opts.episodes }, (_, i) => 10_000 + i);
      const bar = progressBar('eval', tasks.length);
      const out: Record<string, number> = {};
      for (const [i, task] of tasks.entries()) {
        out[task] = (await evaluatePolicy(policy, [task], seeds))[task]?.successRate ?? 0;
        bar.update(i + 1, task);
      }
      bar.stop();
      await policy.release();
      const avg = Object.values(out).reduce((a, b) => a + b, 0) / tasks.length;
      if (opts.json) console.log(JSON.stringify({ successByTask: out, average: avg }, null, 2));
      else {
        for (const [t, v] of Object.entries(out)) console.log(`${t.padEnd(26)} ${(v * 100).toFixed(0)}%`);
        console.log(`${'average'.padEnd(26)} ${(avg * 100).toFixed(0)}%`);
      }
    });
}
