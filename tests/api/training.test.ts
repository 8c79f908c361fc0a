import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JobInfo } from '../../core/api/contract';
import { defaultProviders } from '../../core/api/default-providers';
import { recordExpertDemos } from '../../core/api/jobs/expert-demos';
import { Studio } from '../../core/api/studio';
import { RL_TEMPERATURE } from '../../core/rl/temperature';

const home = mkdtempSync(join(tmpdir(), 'pushcut-training-'));
let studio: Studio;
const jobs: JobInfo[] = [];

beforeAll(async () => {
  process.env.PUSHCUT_HOME = home;
  await recordExpertDemos({
    root: join(home, 'datasets', 'demos'),
    tasks: ['press_button'],
    episodesPerTask: 2,
  });
  studio = new Studio({ shell: 'test', version: '0', providers: defaultProviders() });
  studio.on('job', (j) => jobs.push(j));
}, 120_000);
afterAll(() => studio.close());

const finished = (id: string) =>
  new Promise<JobInfo>((resolve) => {
    const check = setInterval(() => {
      const j = jobs.filter((x) => x.id === id).at(-1);
      if (j && j.state !== 'running') {
        clearInterval(check);
        resolve(j);
      }
    }, 50);
  });

it('trains SFT, evaluates the policy in the simulator and keeps both in the run record', {
  timeout: 240_000,
}, async () => {
  // the demos are 64 px; the policy takes them resized to 32 px
  const { jobId } = await studio.invoke('train.sft', {
    dataset: 'demos',
    run: 'r1',
    steps: 6,
    batchSize: 8,
    imageSize: 32,
    labelSigma: 0,
    text: 'positional',
  });
  expect((await finished(jobId)).state).toBe('done');
  const sidecar = JSON.parse(readFileSync(join(home, 'runs', 'r1', 'policy.json'), 'utf8'));
  expect(sidecar.extra.config.imageSize).toBe(32);
  expect(sidecar.extra.config.text).toBe('positional');
  expect((await studio.invoke('runs.list', {}))[0]?.config).toMatchObject({ imageSize: 32, labelSigma: 0 });
  await expect(studio.invoke('train.sft', { dataset: 'demos', run: 'r9', imageSize: 8 })).rejects.toThrow(
    /imageSize/,
  );
  await expect(studio.invoke('train.sft', { dataset: 'demos', run: 'r9', labelSigma: -1 })).rejects.toThrow(
    /labelSigma/,
  );
  await expect(
    studio.invoke('train.sft', { dataset: 'demos', run: 'r9', text: 'bag' as never }),
  ).rejects.toThrow(/text/);
  const again = await studio.invoke('train.sft', { dataset: 'demos', run: 'r1' }).catch((e: Error) => e);
  expect((again as Error).message).toMatch(/exists already/);

  const ev = await studio.invoke('train.eval', { run: 'r1', tasks: ['press_button'], episodes: 2 });
  const done = await finished(ev.jobId);
  expect(done.state).toBe('done');
  const [run] = await studio.invoke('runs.list', {});
  expect(run?.evaluation?.episodesPerTask).toBe(2);
  expect(Object.keys(run?.evaluation?.successByTask ?? {})).toEqual(['press_button']);
  const stages = run?.evaluation?.stagesByTask?.press_button;
  expect(Object.values(stages ?? {}).every((v) => [0, 0.5, 1].includes(v))).toBe(true);
  expect(stages?.lifted).toBeLessThanOrEqual(stages?.grasped ?? 0);
  expect(stages?.grasped).toBeLessThanOrEqual(stages?.touched ?? 0);
  expect((await studio.invoke('runs.metrics', { run: 'r1' })).length).toBe(6);
});

it('runs GRPO from the SFT run: rollouts land in a dataset and the RL policy is exported', {
  timeout: 300_000,
}, async () => {
  const { jobId } = await studio.invoke('train.rl', {
    run: 'rl1',
    from: 'r1',
    tasks: ['press_button'],
    updates: 1,
    groupSize: 2,
    groupsPerBatch: 1,
    evalEpisodes: 1,
    states: 3,
    stateSampling: 'informative',
    layoutSpread: 0.025,
    weightAverage: 0.9,
  });
  const end = await finished(jobId);
  expect(end.state, end.message).toBe('done');
  const run = (await studio.invoke('runs.list', {})).find((r) => r.name === 'rl1');
  expect(run).toMatchObject({ kind: 'rl', from: 'r1', dataset: 'rl1-rollouts' });
  expect(String(run?.result?.policy)).toMatch(/rl1\/policy\.onnx$/);
  // greedy evaluations before and after the update; the exported policy is the best one's weights
  expect(run?.result?.best).toMatchObject({ policyVersion: expect.any(Number), average: expect.any(Number) });
  expect(existsSync(join(home, 'runs', 'rl1', 'rl', 'checkpoints', 'best.ckpt'))).toBe(true);
  const rollouts = await studio.invoke('episodes.list', { dataset: 'rl1-rollouts', filter: {} });
  expect(rollouts.length).toBeGreaterThanOrEqual(2);
  expect(rollouts.every((e) => e.source === 'rollout')).toBe(true);
  const info = JSON.parse(readFileSync(join(home, 'datasets', 'rl1-rollouts', 'meta', 'info.json'), 'utf8'));
  expect(info.features['observation.images.front'].shape.slice(0, 2)).toEqual([32, 32]);
  const job = JSON.parse(readFileSync(join(home, 'runs', 'rl1', 'rl', 'run.json'), 'utf8'));
  expect(job.stateSampling).toBe('informative');
  // evaluated (and exported) by the moving average of the weights
  expect(job.weightAverage).toBe(0.9);
  // no temperature given: the simulator's default, not the robot's
  expect(job.temperature).toBe(RL_TEMPERATURE.sim);
  // evaluating the RL run uses the layout region it trained in, unlike the SFT run's evaluation
  const ev = await studio.invoke('train.eval', { run: 'rl1', tasks: ['press_button'], episodes: 1 });
  expect((await finished(ev.jobId)).state).toBe('done');
  const runs = await studio.invoke('runs.list', {});
  expect(runs.find((r) => r.name === 'rl1')?.evaluation?.layoutSpread).toBe(0.025);
  expect(runs.find((r) => r.name === 'r1')?.evaluation?.layoutSpread).toBeUndefined();
  await expect(
    studio.invoke('train.rl', { run: 'rl4', from: 'r1', stateSampling: 'informative' }),
  ).rejects.toThrow(/needs a bank of initial states/);
  await expect(studio.invoke('train.rl', { run: 'rl2', from: 'rl1' })).rejects.toThrow(/finished SFT run/);
  await expect(studio.invoke('train.rl', { run: 'rl3', from: 'r1', layoutSpread: 0.5 })).rejects.toThrow(
    /layoutSpread/,
  );
});

it('explains what is missing: an unknown dataset, a run without a policy, an unknown task', async () => {
  await expect(studio.invoke('train.sft', { dataset: 'nope', run: 'r2' })).rejects.toThrow(
    /does not exist: record demos first/,
  );
  await expect(studio.invoke('train.eval', { run: 'ghost' })).rejects.toThrow(/no exported policy yet/);
  await expect(studio.invoke('train.eval', { run: 'r1', tasks: ['juggle'] })).rejects.toThrow(/Unknown task/);
});
