import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobInfo } from '../../api/contract';
import type { Studio } from '../../api/studio';
import { openDataset } from '../../data';
import { reportHtml, writeReport } from '../report';
import { type DemoReport, type DemoRunArgs, demoPaths, waitJob } from './demo';

/** Demos -> SFT -> RL -> pushcuts -> report, through the same Studio API the app uses. */
export async function runDemo(a: DemoRunArgs & { out: string }): Promise<string> {
  const { Studio } = await import('../../api/studio');
  const { defaultProviders } = await import('../../api/default-providers');
  const { recordExpertDemos } = await import('../../api/jobs/expert-demos');
  const { progressBar } = await import('../progress');
  const studio: Studio = new Studio({ shell: 'test', version: version(), providers: defaultProviders() });
  const onJob = (l: (j: JobInfo) => void) => studio.on('job', l);
  const wall: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      wall[name] = (performance.now() - t0) / 1000;
    }
  };
  const notes: string[] = [];
  try {
    const bar = progressBar('demos', a.tasks.length * a.demos);
    const demos = await timed('demos', () =>
      recordExpertDemos({
        root: demoPaths(a.out).demos,
        tasks: a.tasks,
        episodesPerTask: a.demos,
        layoutSpread: a.layoutSpread,
        signal: a.signal,
        onEpisode: (e) => bar.update(e.done, `${e.task}: ${e.success ? 'success' : 'failure'}`),
      }),
    );
    bar.stop();

    const sft = await studio.invoke('train.sft', {
      dataset: 'demos',
      run: 'sft',
      steps: a.sftSteps,
      batchSize: 32,
    });
    await timed('sft', () => waitJob(onJob, sft.jobId, 'SFT'));
    const evalSft = await studio.invoke('train.eval', {
      run: 'sft',
      tasks: a.tasks,
      episodes: a.evalEpisodes,
      layoutSpread: a.layoutSpread,
    });
    await timed('eval before', () => waitJob(onJob, evalSft.jobId, 'evaluating SFT'));

    const rlUpdates: DemoReport['rlUpdates'] = [];
    const rl = await studio.invoke('train.rl', {
      run: 'rl',
      from: 'sft',
      tasks: a.tasks,
      updates: a.updates,
      groupSize: a.groupSize,
      groupsPerBatch: a.groupsPerBatch,
      evalEpisodes: 0,
      layoutSpread: a.layoutSpread,
    });
    const budget = setTimeout(() => {
      notes.push(`RL stopped by the ${a.minutes}-minute budget.`);
      void studio.invoke('train.cancel', { jobId: rl.jobId }).catch(() => undefined);
    }, a.minutes * 60_000);
    a.signal.addEventListener(
      'abort',
      () => void studio.invoke('train.cancel', { jobId: rl.jobId }).catch(() => undefined),
    );
    await timed('rl', () => waitJob(onJob, rl.jobId, 'RL'));
    clearTimeout(budget);
    for (const m of studio.runMetrics('rl')) {
      if (m.type !== 'update') continue;
      const metrics = m.metrics as { clipFrac?: number; entropy?: number } | null;
      rlUpdates.push({
        update: Number(m.update),
        successByTask: m.successByTask as Record<string, number>,
        groupsKept: Number(m.groupsKept),
        groupsDropped: Number(m.groupsDropped),
        clipFrac: metrics?.clipFrac ?? null,
        entropy: metrics?.entropy ?? null,
      });
    }
    const evalRl = await studio.invoke('train.eval', {
      run: 'rl',
      tasks: a.tasks,
      episodes: a.evalEpisodes,
      layoutSpread: a.layoutSpread,
    });
    await timed('eval after', () => waitJob(onJob, evalRl.jobId, 'evaluating RL'));
    const runs = await studio.invoke('runs.list', {});
    const sftRun = runs.find((r) => r.name === 'sft');
    const rlRun = runs.find((r) => r.name === 'rl');
    if (rlRun?.message) notes.push(rlRun.message);

    let pushcuts: DemoReport['pushcuts'] = { summary: 'No rollouts to analyse.', strategies: [] };
    try {
      const p = await studio.invoke('pushcuts.analyze', { rollouts: 'rl-rollouts', demos: 'demos' });
      const readers = new Map<string, Awaited<ReturnType<typeof openDataset>>>();
      const video = async (id: string) => {
        const at = id.lastIndexOf('#');
        const name = id.slice(0, at);
        const reader = readers.get(name) ?? (await openDataset(join(a.out, 'datasets', name)));
        readers.set(name, reader);
        return reader.videoFile(Number(id.slice(at + 1)), 'front');
      };
      pushcuts = {
        summary: `${p.observed} rollouts, ${p.successes} successes, ${p.novelSuccesses} unlike all ${p.demos} demonstrations; ${p.strategies.filter((s) => s.isPushcut).length} pushcut(s). ${p.message ?? ''}`,
        strategies: await Promise.all(
          p.strategies.map(async (s) => ({
            name: s.name,
            description: s.description,
            isPushcut: s.isPushcut,
            firstSeenStep: s.firstSeenStep,
            successes: s.successes,
            videos: await Promise.all(s.bestEpisodes.slice(0, 2).map(video)),
          })),
        ),
      };
    } catch (err) {
      pushcuts = {
        summary: `Pushcut analysis: ${err instanceof Error ? err.message : String(err)}`,
        strategies: [],
      };
    }

    const sftMetrics = studio.runMetrics('sft');
    const report: DemoReport = {
      title: 'Pushcut Studio demo: scripted demos → SFT → RL → pushcuts',
      createdAt: new Date().toISOString(),
      config: { ...a, signal: undefined },
      versions: {
        pushcut: version(),
        node: process.versions.node,
        onnxruntime: pkgVersion('onnxruntime-node'),
        mujoco: pkgVersion('mujoco-js'),
      },
      wallSeconds: wall,
      demos: { episodes: demos.episodes, successes: demos.successes, dataset: demoPaths(a.out).demos },
      sftLoss: sftMetrics.map((m) => ({
        step: Number(m.step),
        loss: Number(m.loss),
        valLoss: typeof m.valLoss === 'number' ? m.valLoss : null,
      })),
      rlUpdates,
      before: sftRun?.evaluation?.successByTask ?? {},
      after: rlRun?.evaluation?.successByTask ?? {},
      pushcuts,
      notes,
    };
    // the RL run's own copy is what the app's Train panel opens
    const rlDir = join(a.out, 'runs', 'rl');
    if (existsSync(rlDir)) writeFileSync(join(rlDir, 'report.html'), reportHtml(rlDir, report));
    return writeReport(a.out, report);
  } finally {
    await studio.close();
  }
}

function version(): string {
  return (
    JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
}

function pkgVersion(name: string): string {
  try {
    const url = new URL(`../../../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
