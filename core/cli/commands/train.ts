import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { INSTRUCTION_ENCODERS, type InstructionEncoder } from '../../../models/tiny-vla/config';
import { RL_TEMPERATURE } from '../../rl/temperature';
import { CliError } from '../errors';
import { interruptSignal, progressBar } from '../progress';
import { parseRobotTarget, type RobotFlags, robotOptions } from '../robot';
import { LAYOUT_SPREAD_HELP, layoutSpread, positiveInt, positiveNumber } from './record';

export function trainCommands(cli: Command): void {
  const train = cli.command('train').description('train policies: sft (supervised on demos), rl (GRPO)');

  train
    .command('sft')
    .description("supervised fine-tuning of tiny-vla on a dataset's demos; writes policy.onnx + policy.json")
    .requiredOption('-d, --dataset <path>', 'LeRobotDataset with demonstrations')
    .requiredOption('-o, --out <dir>', 'run folder for checkpoints, metrics and the exported policy')
    .option('--steps <n>', 'training steps', positiveInt('--steps'), 800)
    .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), 32)
    .option('--lr <x>', 'learning rate', Number, 1e-3)
    .option('--image-size <px>', 'policy image side (frames are resized)', positiveInt('--image-size'), 64)
    .addOption(
      new Option('--text <encoder>', 'instruction encoder: mean ignores word order, positional keeps it')
        .choices(INSTRUCTION_ENCODERS)
        .default('mean'),
    )
    .option('--clock', 'feed the policy the episode clock (tells apart task phases that look alike)', false)
    .action(
      async (opts: {
        dataset: string;
        out: string;
        steps: number;
        batchSize: number;
        lr: number;
        imageSize: number;
        text: InstructionEncoder;
        clock: boolean;
      }) => {
        const root = resolve(opts.dataset);
        if (!existsSync(join(root, 'meta', 'info.json'))) {
          throw new CliError(
            `No dataset at ${root} (missing meta/info.json): record one with \`pushcut record\``,
          );
        }
        const { samplesFromDataset } = await import('../../api/training/dataset-samples');
        const { trainSft } = await import('../../rl/sft');
        const out = resolve(opts.out);
        mkdirSync(join(out, 'checkpoints'), { recursive: true });
        const loading = progressBar('loading episodes', 1);
        const samples = await samplesFromDataset(root, {
          imageSize: opts.imageSize,
          onEpisode: (done, total) => loading.update(done / total),
        });
        loading.stop();
        const metrics = join(out, 'metrics.jsonl');
        writeFileSync(
          join(out, 'run.json'),
          JSON.stringify({ kind: 'sft', ...opts, dataset: root, samples: samples.length }, null, 2),
        );
        const bar = progressBar('sft', opts.steps);
        const result = await trainSft({
          samples,
          steps: opts.steps,
          batchSize: opts.batchSize,
          lr: opts.lr,
          policyConfig: { text: opts.text, clockInput: opts.clock },
          checkpointDir: join(out, 'checkpoints'),
          exportPath: join(out, 'policy'),
          signal: interruptSignal(),
          onProgress: (p) => {
            appendFileSync(metrics, `${JSON.stringify(p)}\n`);
            bar.update(
              p.step,
              `loss ${p.loss.toFixed(3)}${p.valLoss === undefined ? '' : ` · val ${p.valLoss.toFixed(3)}`}`,
            );
          },
        });
        bar.stop();
        console.log(
          `SFT ${result.cancelled ? 'stopped' : 'done'} after ${result.steps} steps: loss ${result.firstLoss.toFixed(3)} -> ${result.finalLoss.toFixed(3)}` +
            (Number.isFinite(result.finalValLoss)
              ? `, validation ${result.initialValLoss.toFixed(3)} -> ${result.finalValLoss.toFixed(3)}`
              : ''),
        );
        if (result.exported) console.log(`policy: ${result.exported.onnxPath}`);
      },
    );

  const rl = train
    .command('rl')
    .description(
      'GRPO from an SFT run folder: in the simulator, or on a serial/ROS arm with a person resetting and labelling episodes',
    )
    .requiredOption('--from <dir>', 'SFT run folder (policy.json + checkpoints/)')
    .requiredOption('-o, --out <dir>', 'RL run folder');
  robotOptions(rl)
    .option('-t, --tasks <ids>', 'simulator: comma-separated task ids, or "all"', 'all')
    .option('--updates <n>', 'policy updates (robot: stop after this many)', positiveInt('--updates'), 10)
    .option(
      '--group-size <n>',
      'rollouts per initial state (default 8 in the simulator, 4 on a robot)',
      positiveInt('--group-size'),
    )
    .option(
      '--groups-per-batch <n>',
      'groups per update (default 4 in the simulator, 1 on a robot)',
      positiveInt('--groups-per-batch'),
    )
    .option('--layout-spread <m>', LAYOUT_SPREAD_HELP, layoutSpread('--layout-spread'))
    .option(
      '--states <n>',
      'simulator: train on a fixed bank of this many initial layouts per task (default: a new layout per group)',
      positiveInt('--states'),
    )
    .option(
      '--informative-states',
      'simulator: with --states, favour layouts (and tasks) whose recent groups had both successes and failures',
    )
    .option('--task <instruction>', 'robot: the instruction given to the policy')
    .option('--episodes <n>', 'robot: stop after this many episodes', positiveInt('--episodes'))
    .option(
      '--time-limit <s>',
      'robot: seconds per episode before the person is asked for a label (default 30)',
      positiveNumber('--time-limit'),
    )
    .option(
      '--temperature <x>',
      `sampling temperature (default ${RL_TEMPERATURE.sim} in the simulator, ${RL_TEMPERATURE.robot} on a robot)`,
      positiveNumber('--temperature'),
    )
    .option('--lr <x>', 'robot: learning rate', Number)
    .option('--leader <port>', 'robot: leader arm that drives while the person takes over (t)')
    .option('--leader-calibration <file>', 'leader arm: LeRobot calibration JSON')
    .option('--leader-id <id>', 'leader arm: its LeRobot id', 'default')
    .option(
      '--camera-size <px>',
      "robot: rig camera image side (default: the policy's)",
      positiveInt('--camera-size'),
    )
    .action(
      async (
        opts: RobotFlags & {
          from: string;
          out: string;
          tasks: string;
          updates: number;
          groupSize?: number;
          groupsPerBatch?: number;
          layoutSpread?: number;
          states?: number;
          informativeStates?: boolean;
          task?: string;
          episodes?: number;
          timeLimit?: number;
          temperature?: number;
          lr?: number;
          leader?: string;
          leaderCalibration?: string;
          leaderId: string;
          cameraSize?: number;
        },
      ) => {
        if (parseRobotTarget(opts.robot).kind !== 'sim') {
          const { rlOnHardware } = await import('./rl-hardware');
          await rlOnHardware({
            ...opts,
            ...(opts.groupsPerBatch !== undefined ? { groupsPerUpdate: opts.groupsPerBatch } : {}),
          });
          return;
        }
        const { parseTasks } = await import('./record');
        const from = resolve(opts.from);
        if (!existsSync(join(from, 'policy.json')))
          throw new CliError(
            `${from} is not an SFT run folder (no policy.json): run \`pushcut train sft\` first`,
          );
        const { tinyVlaRlSpec } = await import('../../api/training/rl-run');
        const { startRlJobWorker } = await import('../../rl/rl-worker-host');
        const { bestCheckpoint } = await import('../../rl/rl-job');
        const out = resolve(opts.out);
        const spec = tinyVlaRlSpec({
          sftDir: from,
          jobDir: out,
          tasks: parseTasks(opts.tasks),
          updates: opts.updates,
          groupSize: opts.groupSize ?? 8,
          groupsPerBatch: opts.groupsPerBatch ?? 4,
          temperature: opts.temperature ?? RL_TEMPERATURE.sim,
          evalEpisodes: 4,
          rolloutsRoot: join(out, 'rollouts'),
          layoutSpread: opts.layoutSpread,
          states: opts.states,
          stateSampling: opts.informativeStates ? 'informative' : 'uniform',
        });
        const bar = progressBar('rl', opts.updates);
        const job = startRlJobWorker(spec, (e) => {
          if (e.type === 'update') {
            const v = Object.values(e.successByTask);
            bar.update(
              e.update,
              `rollout success ${((v.reduce((a, b) => a + b, 0) / Math.max(1, v.length)) * 100).toFixed(0)}%`,
            );
          }
        });
        interruptSignal().addEventListener('abort', () => job.cancel());
        const r = await job.done;
        bar.stop();
        console.log(`RL ${r.reason} after ${r.policyVersion} updates; rollouts in ${join(out, 'rollouts')}`);
        if (r.evalBefore && r.evalAfter)
          console.log(`greedy success: ${JSON.stringify(r.evalBefore)} -> ${JSON.stringify(r.evalAfter)}`);
        if (r.best)
          console.log(
            `best greedy success ${(r.best.average * 100).toFixed(0)}% after ${r.best.policyVersion} updates: ${bestCheckpoint(out)}`,
          );
      },
    );
}
