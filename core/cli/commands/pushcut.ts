import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../errors';

function datasetArg(path: string): { name: string; root: string } {
  const root = resolve(path);
  if (!existsSync(join(root, 'meta', 'info.json')))
    throw new CliError(`No dataset at ${root} (missing meta/info.json)`);
  return { name: basename(root), root };
}

export function pushcutCommands(cli: Command): void {
  const p = cli.command('pushcut').description('find behaviours RL discovered that no demonstration shows');
  p.command('analyze <dataset>')
    .description(
      'compare the rollouts of a dataset with its demonstrations (or --demos) and name the new strategies',
    )
    .option('--demos <dataset>', 'dataset holding the demonstrations, when they are not in <dataset>')
    .option('--json', 'print the report as JSON')
    .action(async (dataset: string, opts: { demos?: string; json?: boolean }) => {
      const { analyzeDatasets } = await import('../../api/pushcut-analysis');
      const rollouts = datasetArg(dataset);
      const r = await analyzeDatasets({
        rollouts,
        ...(opts.demos ? { demos: datasetArg(opts.demos) } : {}),
      }).catch((err: Error) => {
        throw new CliError(err.message);
      });
      if (opts.json) {
        const { episodes: _e, events: _v, ...rest } = r;
        console.log(JSON.stringify(rest, null, 2));
        return;
      }
      console.log(
        `${r.observed} rollouts, ${r.successes} successes, ${r.novelSuccesses} unlike all ${r.calibration.demoCount} demonstrations (threshold ${r.calibration.threshold.toFixed(3)})`,
      );
      if (r.message) console.log(r.message);
      for (const s of r.strategies) {
        console.log(
          `${s.isPushcut ? 'PUSHCUT' : 'novel  '} ${s.name}: ${s.description}; ${s.successes} successes, first at RL step ${s.firstSeenStep}; best: ${s.bestEpisodes.slice(0, 3).join(', ')}`,
        );
      }
    });
}
