import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { openDataset, validateDataset } from '../../data';
import { CliError } from '../errors';

function requireDataset(path: string): string {
  if (!existsSync(path))
    throw new CliError(`No dataset at ${path}: give the folder that holds meta/info.json`);
  return path;
}

export function datasetCommands(cli: Command): void {
  const ds = cli.command('dataset').description('inspect LeRobotDataset v3.0 folders');

  ds.command('info <path>')
    .description('episodes, frames, tasks, features and cameras of a dataset')
    .option('--json', 'print JSON')
    .action(async (path: string, opts: { json?: boolean }) => {
      const r = await openDataset(requireDataset(path));
      const episodes = r.listEpisodes();
      const summary = {
        root: r.root,
        version: r.info.codebase_version,
        robotType: r.info.robot_type,
        fps: r.fps,
        episodes: episodes.length,
        frames: r.info.total_frames,
        tasks: r.tasks,
        cameras: r.videoKeys,
        sources: countBy(episodes.map((e) => e.source ?? 'demo')),
        outcomes: countBy(
          episodes.map((e) => (e.success === null ? 'unlabelled' : e.success ? 'success' : 'failure')),
        ),
      };
      if (opts.json) console.log(JSON.stringify(summary, null, 2));
      else for (const [k, v] of Object.entries(summary)) console.log(`${k.padEnd(10)} ${fmt(v)}`);
    });

  ds.command('validate <path>')
    .description('check info, stats, episodes, parquet files and videos agree; exit 1 on problems')
    .action(async (path: string) => {
      const problems = await validateDataset(requireDataset(path));
      if (problems.length === 0) {
        console.log(`${path}: valid LeRobotDataset v3.0`);
        return;
      }
      for (const p of problems) console.error(`${p.file}: ${p.message}`);
      throw new CliError(`${problems.length} problem(s) in ${path}`);
    });

  ds.command('stats <path>')
    .description('per-feature statistics from meta/stats.json (min, max, mean, std, q01, q99)')
    .option('--feature <name>', 'only this feature, e.g. observation.state')
    .action(async (path: string, opts: { feature?: string }) => {
      const r = await openDataset(requireDataset(path));
      if (!r.stats) throw new CliError(`${path} has no meta/stats.json`);
      const features = opts.feature ? [opts.feature] : Object.keys(r.stats);
      for (const f of features) {
        const s = r.stats[f];
        if (!s)
          throw new CliError(`No feature "${f}" in stats (features: ${Object.keys(r.stats).join(', ')})`);
        console.log(f);
        for (const key of ['min', 'max', 'mean', 'std', 'q01', 'q99', 'count']) {
          if (s[key] !== undefined) console.log(`  ${key.padEnd(5)} ${fmt(s[key])}`);
        }
      }
    });
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function fmt(v: unknown): string {
  if (Array.isArray(v))
    return v.map((x) => (typeof x === 'number' ? Number(x.toFixed(3)) : fmt(x))).join(', ');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}
