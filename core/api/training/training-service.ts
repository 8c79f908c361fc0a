import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TinyVlaPolicy } from '../../../models/tiny-vla/policy';
import { openDataset } from '../../data';
import type { StateSampling } from '../../rl/grpo/state-sampler';
import { startRlJobWorker } from '../../rl/rl-worker-host';
import { evaluatePolicy, runSftInWorker, stageShares } from '../../rl/sft';
import { listTasks } from '../../sim/env';
import type { EventPayload, JobInfo, ParsedArgs } from '../contract';
import { ApiError } from '../errors';
import { checkName } from '../home';
import { analyzeDatasets } from '../pushcut-analysis';
import { samplesFromDataset } from './dataset-samples';
import { exportRlPolicy, rlJobDir, rlWorkerSpec } from './rl-run';
import { listRuns, policyPath, type RunRecord, readMetrics, readRun, runDir, writeRun } from './runs';

type TrainPoint = EventPayload<'train'>;

interface Hooks {
  job(job: JobInfo): void;
  point(p: TrainPoint): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  datasetRoot(name: string): string;
}

/**
 * Training jobs the UI starts: SFT on a dataset's demos (in its own worker thread), and greedy
 * evaluation of a run's policy in the simulator. Every run keeps run.json and metrics.jsonl in its
 * folder, so curves and results survive a restart.
 */
export class TrainingService {
  private cancels = new Map<string, () => void>();
  private nextJob = 1;

  constructor(private readonly hooks: Hooks) {}

  runs(): RunRecord[] {
    return listRuns();
  }

  metrics(run: string): Record<string, unknown>[] {
    const name = checkName('Run', run);
    return readRun(name)?.kind === 'rl' ? readMetrics(name, rlJobDir(name)) : readMetrics(name);
  }

  cancel(jobId: string): void {
    const cancel = this.cancels.get(jobId);
    if (!cancel) throw new ApiError('failed', `No running job ${jobId}`);
    cancel();
  }

  startSft(args: ParsedArgs<'train.sft'>): { jobId: string } {
    const name = checkName('Run', args.run);
    const dir = runDir(name);
    if (existsSync(join(dir, 'run.json'))) {
      throw new ApiError('invalid_args', `A run named "${name}" exists already: choose another name`, 'run');
    }
    const datasetRoot = this.hooks.datasetRoot(args.dataset);
    if (!existsSync(join(datasetRoot, 'meta', 'info.json'))) {
      throw new ApiError(
        'invalid_args',
        `Dataset "${args.dataset}" does not exist: record demos first`,
        'dataset',
      );
    }
    mkdirSync(join(dir, 'checkpoints'), { recursive: true });
    const jobId = `sft-${this.nextJob++}`;
    const run: RunRecord = {
      name,
      kind: 'sft',
      createdAt: new Date().toISOString(),
      state: 'running',
      dataset: args.dataset,
      config: { ...args },
    };
    writeRun(run);
    const job = (state: JobInfo['state'], progress: number, message: string) =>
      this.hooks.job({ id: jobId, kind: 'sft', state, progress, message });
    job('running', 0, 'Loading demonstrations…');

    let cancelled = false;
    let cancelWorker: (() => void) | null = null;
    this.cancels.set(jobId, () => {
      cancelled = true;
      cancelWorker?.();
    });
    void (async () => {
      try {
        const samples = await samplesFromDataset(datasetRoot, {
          imageSize: args.imageSize,
          onEpisode: (done, total) => job('running', 0, `Loading demonstrations: episode ${done}/${total}`),
        });
        if (cancelled) throw new Error('cancelled before training started');
        this.hooks.log('info', `SFT ${name}: ${samples.length} samples from ${args.dataset}`);
        const sft = runSftInWorker(
          {
            samples,
            steps: args.steps,
            batchSize: args.batchSize,
            lr: args.lr,
            labelSigma: args.labelSigma,
            policyConfig: { text: args.text, clockInput: args.clock },
            checkpointDir: join(dir, 'checkpoints'),
            exportPath: join(dir, 'policy'),
          },
          (p) => {
            appendFileSync(join(dir, 'metrics.jsonl'), `${JSON.stringify(p)}\n`);
            this.hooks.point({
              jobId,
              run: name,
              kind: 'sft',
              step: p.step,
              total: p.totalSteps,
              loss: p.loss,
              valLoss: p.valLoss ?? null,
              tokensPerSec: p.tokensPerSec,
              etaSec: p.etaSec,
              successByTask: null,
            });
            job(
              'running',
              p.step / p.totalSteps,
              `step ${p.step}/${p.totalSteps} · loss ${p.loss.toFixed(3)}`,
            );
          },
        );
        cancelWorker = sft.cancel;
        const result = await sft.done;
        run.state = result.cancelled ? 'cancelled' : 'done';
        run.result = {
          steps: result.steps,
          samples: samples.length,
          firstLoss: result.firstLoss,
          finalLoss: result.finalLoss,
          initialValLoss: result.initialValLoss,
          finalValLoss: result.finalValLoss,
          policy: result.exported?.onnxPath ?? null,
        };
        writeRun(run);
        job(
          result.cancelled ? 'cancelled' : 'done',
          1,
          `loss ${result.firstLoss.toFixed(3)} → ${result.finalLoss.toFixed(3)}`,
        );
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        run.state = cancelled ? 'cancelled' : 'failed';
        run.message = message;
        writeRun(run);
        this.hooks.log(cancelled ? 'warn' : 'error', `SFT ${name}: ${message}`);
        job(cancelled ? 'cancelled' : 'failed', 0, message);
      } finally {
        this.cancels.delete(jobId);
      }
    })();
    return { jobId };
  }

  /**
   * GRPO from an SFT run's policy, in the simulator, in its own worker thread. Every rollout is an
   * episode of the dataset `<run>-rollouts`; after each update the rollouts are checked for
   * pushcuts against the SFT run's demonstrations. Starting a run that exists resumes it.
   */
  async startRl(args: {
    run: string;
    from: string;
    tasks?: string[];
    updates: number;
    groupSize: number;
    groupsPerBatch: number;
    temperature: number;
    evalEpisodes: number;
    layoutSpread?: number;
    states?: number;
    stateSampling?: StateSampling;
    weightAverage?: number;
  }): Promise<{ jobId: string }> {
    const name = checkName('Run', args.run);
    const from = readRun(checkName('Run', args.from));
    if (from?.kind !== 'sft' || from.state !== 'done') {
      throw new ApiError(
        'invalid_args',
        `RL starts from a finished SFT run; "${args.from}" is not one`,
        'from',
      );
    }
    const existing = readRun(name);
    if (existing && existing.kind !== 'rl') {
      throw new ApiError('invalid_args', `A run named "${name}" exists already: choose another name`, 'run');
    }
    const tasks = args.tasks?.length ? args.tasks : await this.tasksOf(from.dataset);
    const rollouts = `${name}-rollouts`;
    const spec = rlWorkerSpec({ ...args, run: name, tasks, rolloutsRoot: this.hooks.datasetRoot(rollouts) });
    mkdirSync(spec.runDir, { recursive: true });
    const run: RunRecord = existing ?? {
      name,
      kind: 'rl',
      createdAt: new Date().toISOString(),
      state: 'running',
      from: args.from,
      dataset: rollouts,
      config: { ...args, tasks },
    };
    run.state = 'running';
    writeRun(run);
    const jobId = `rl-${this.nextJob++}`;
    const job = (state: JobInfo['state'], progress: number, message: string) =>
      this.hooks.job({ id: jobId, kind: 'rl', state, progress, message });
    job('running', 0, existing ? 'Resuming from the last checkpoint…' : 'Starting rollouts…');
    const known = new Set<string>();
    let analysing = false;
    const watchPushcuts = () => {
      if (analysing || !from.dataset) return;
      analysing = true;
      const set = (n: string) => ({ name: n, root: this.hooks.datasetRoot(n) });
      analyzeDatasets({ rollouts: set(rollouts), demos: set(from.dataset) })
        .then((r) => {
          for (const p of r.pushcuts) {
            if (known.has(p.slug)) continue;
            known.add(p.slug);
            this.hooks.log(
              'info',
              `New pushcut in ${name}: "${p.name}" (${p.description}), first seen at RL step ${p.firstSeenStep}`,
            );
          }
        })
        .catch(() => undefined) // too few successes yet: the next update tries again
        .finally(() => {
          analysing = false;
        });
    };
    const handle = startRlJobWorker(spec, (e) => {
      if (e.type === 'update') {
        const values = Object.values(e.successByTask);
        const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
        this.hooks.point({
          jobId,
          run: name,
          kind: 'rl',
          step: e.update,
          total: args.updates,
          loss: e.metrics?.loss ?? null,
          valLoss: null,
          tokensPerSec: null,
          etaSec: null,
          successByTask: e.successByTask,
        });
        job(
          'running',
          e.update / args.updates,
          `update ${e.update}/${args.updates} · rollout success ${(mean * 100).toFixed(0)}% · groups kept ${e.groupsKept}, dropped ${e.groupsDropped}`,
        );
        watchPushcuts();
      } else if (e.type === 'eval') {
        this.hooks.log(
          'info',
          `${name} greedy success after ${e.policyVersion} updates: ${(e.average * 100).toFixed(0)}%${e.best ? ' (best so far: the policy the run exports)' : ''}`,
        );
      } else if (e.type === 'stalled') {
        this.hooks.log('warn', `${name}: ${e.message}`);
      }
    });
    this.cancels.set(jobId, () => handle.cancel());
    void handle.done
      .then((r) => {
        const record = readRun(name) ?? run;
        record.state = r.reason === 'cancelled' ? 'cancelled' : 'done';
        record.result = {
          reason: r.reason,
          policyVersion: r.policyVersion,
          evalBefore: r.evalBefore ?? null,
          evalAfter: r.evalAfter ?? null,
          best: r.best ?? null,
          policy: exportRlPolicy(name, args.from),
        };
        writeRun(record);
        watchPushcuts();
        job(
          r.reason === 'cancelled' ? 'cancelled' : 'done',
          1,
          `${r.reason} after ${r.policyVersion} updates`,
        );
      })
      .catch((err: Error) => {
        const record = readRun(name) ?? run;
        record.state = 'failed';
        record.message = err.message;
        writeRun(record);
        this.hooks.log('error', `RL ${name}: ${err.message}`);
        job('failed', 0, err.message);
      })
      .finally(() => this.cancels.delete(jobId));
    return { jobId };
  }

  /** The simulator tasks whose instructions a dataset holds (all tasks when none match). */
  private async tasksOf(dataset: string | undefined): Promise<string[]> {
    const all = listTasks();
    const held = dataset
      ? await openDataset(this.hooks.datasetRoot(dataset)).then(
          (r) => r.tasks,
          () => [],
        )
      : [];
    const found = all.filter((t) => held.includes(t.instruction)).map((t) => t.id);
    return found.length ? found : all.map((t) => t.id);
  }

  evaluate(args: { run: string; tasks?: string[]; episodes: number; layoutSpread?: number }): {
    jobId: string;
  } {
    const name = checkName('Run', args.run);
    const run = readRun(name);
    if (!run || !existsSync(policyPath(name))) {
      throw new ApiError('failed', `Run "${name}" has no exported policy yet: train it first`);
    }
    const known = listTasks().map((t) => t.id);
    const tasks = args.tasks?.length ? args.tasks : known;
    const unknown = tasks.filter((t) => !known.includes(t));
    if (unknown.length) throw new ApiError('invalid_args', `Unknown task(s): ${unknown.join(', ')}`, 'tasks');
    const spread = args.layoutSpread ?? layoutSpreadOf(run);
    const jobId = `eval-${this.nextJob++}`;
    let cancelled = false;
    this.cancels.set(jobId, () => {
      cancelled = true;
    });
    const job = (state: JobInfo['state'], progress: number, message: string) =>
      this.hooks.job({ id: jobId, kind: 'eval', state, progress, message });
    const where =
      spread === undefined ? '' : ` (objects within ±${(spread * 100).toFixed(1)} cm of the nominal scene)`;
    job('running', 0, `Evaluating ${name} in the simulator${where}`);
    void (async () => {
      const policy = await TinyVlaPolicy.load(policyPath(name));
      try {
        const seeds = Array.from({ length: args.episodes }, (_, i) => 10_000 + i);
        const successByTask: Record<string, number> = {};
        const stagesByTask: NonNullable<RunRecord['evaluation']>['stagesByTask'] = {};
        for (const [i, task] of tasks.entries()) {
          if (cancelled) break;
          const r = (await evaluatePolicy(policy, [task], seeds, { layoutSpread: spread }))[task];
          successByTask[task] = r?.successRate ?? 0;
          if (r) stagesByTask[task] = stageShares(r);
          job(
            'running',
            (i + 1) / tasks.length,
            `${task}: ${((successByTask[task] ?? 0) * 100).toFixed(0)}%`,
          );
          this.hooks.point({
            jobId,
            run: name,
            kind: 'eval',
            step: i + 1,
            total: tasks.length,
            loss: null,
            valLoss: null,
            tokensPerSec: null,
            etaSec: null,
            successByTask: { ...successByTask },
          });
        }
        const values = Object.values(successByTask);
        const average = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
        const fresh = readRun(name) ?? run;
        fresh.evaluation = {
          at: new Date().toISOString(),
          episodesPerTask: args.episodes,
          successByTask,
          stagesByTask,
          average,
          ...(spread === undefined ? {} : { layoutSpread: spread }),
        };
        writeRun(fresh);
        job(cancelled ? 'cancelled' : 'done', 1, `average success ${(average * 100).toFixed(0)}%`);
      } finally {
        await policy.release();
        this.cancels.delete(jobId);
      }
    })().catch((err) => {
      this.cancels.delete(jobId);
      job('failed', 0, err instanceof Error ? err.message : String(err));
    });
    return { jobId };
  }

  close(): void {
    for (const c of this.cancels.values()) c();
  }
}

/** The layout region an RL run trained in (undefined: anywhere in the workspace). */
function layoutSpreadOf(run: RunRecord): number | undefined {
  const spread = run.config.layoutSpread;
  return typeof spread === 'number' ? spread : undefined;
}
