import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../core/data';
import { pushcut, pushcutLive } from './helpers';
import { BUS_TIMEOUT, LAVFI_CAMERAS, type SerialRig, startRosRig, startSerialRig } from './rig';

const work = mkdtempSync(join(tmpdir(), 'pushcut-cli-policy-hw-'));
const sft = join(work, 'sft');
let rig: SerialRig;
let serialArgs: string[];
/** The simulator over rosbridge: its preset streams the front camera; the rig adds a wrist one. */
const rosArgs = (url: string) => [
  '--robot',
  url,
  '--ros-preset',
  'pushcutSim',
  '--camera',
  'wrist=lavfi:testsrc2=size=64x64:rate=30',
];

beforeAll(async () => {
  rig = await startSerialRig(work);
  serialArgs = [
    '--robot',
    rig.followerPort,
    '--calibration',
    rig.calibration,
    ...BUS_TIMEOUT,
    ...LAVFI_CAMERAS,
  ];
  // a tiny SFT run made quickly: one scripted demo, two steps
  const demos = join(work, 'demos');
  const rec = await pushcut(['record', '-d', demos, '-t', 'press_button', '-n', '1']);
  expect(rec.code, rec.stderr).toBe(0);
  const run = await pushcut(['train', 'sft', '-d', demos, '-o', sft, '--steps', '2', '--batch-size', '4']);
  expect(run.code, run.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await rig?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('pushcut eval on a robot', { timeout: 150_000 }, () => {
  it('runs the policy on a serial SO-101, the person labels success and e-stop, episodes are recorded', async () => {
    const dataset = join(work, 'eval-serial');
    const cli = pushcutLive([
      'eval',
      '-p',
      sft,
      ...serialArgs,
      '--task',
      'press the button',
      '-n',
      '2',
      '--time-limit',
      '60',
      '-d',
      dataset,
    ]);
    await cli.waitFor(/Episode 1\/2: reset the scene, then press Enter/);
    cli.send('');
    await new Promise((r) => setTimeout(r, 1500));
    cli.send('s');
    await cli.waitFor(/Episode 1: success · \d+ frames saved as episode 0/);
    await cli.waitFor(/Episode 2\/2: reset the scene/);
    cli.send('enter');
    await new Promise((r) => setTimeout(r, 800));
    cli.send(' ');
    await cli.waitFor(/Episode 2: failure \(e-stop\)/);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/success rate 1\/2 \(50%\) on "press the button"/);
    const ds = await openDataset(dataset);
    expect(ds.listEpisodes().map((e) => e.success)).toEqual([true, false]);
    expect(ds.listEpisodes()[0]).toMatchObject({ tasks: ['press the button'], source: 'rollout' });
    expect(ds.videoKeys.sort()).toEqual(['observation.images.front', 'observation.images.wrist']);
  });

  it('counts the time limit as a failure on a ROS robot', async () => {
    const ros = await startRosRig();
    try {
      const dataset = join(work, 'eval-ros');
      const cli = pushcutLive([
        'eval',
        '-p',
        join(sft, 'policy.onnx'),
        ...rosArgs(ros.url),
        '--task',
        'press the button',
        '-n',
        '1',
        '--time-limit',
        '1',
        '-d',
        dataset,
        '--json',
      ]);
      await cli.waitFor(/reset the scene, then press Enter/);
      cli.send('');
      const run = await cli.done;
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/Episode 1: failure \(time limit\)/);
      expect(JSON.parse(run.stdout.slice(run.stdout.indexOf('{')))).toMatchObject({
        episodes: 1,
        successes: 0,
        successRate: 0,
      });
      expect((await openDataset(dataset)).listEpisodes().map((e) => e.success)).toEqual([false]);
    } finally {
      await ros.stop();
    }
  });

  it('says which cameras the policy misses, and that a policy is missing', async () => {
    const noCams = await pushcut([
      'eval',
      '-p',
      sft,
      '--robot',
      rig.followerPort,
      '--calibration',
      rig.calibration,
      '--task',
      't',
    ]);
    expect(noCams.code).toBe(2);
    expect(noCams.stderr).toMatch(/needs cameras front, wrist.*--camera front=\/dev\/videoN --camera wrist/);
    const noPolicy = await pushcut(['eval', '-p', join(work, 'nothing'), ...serialArgs, '--task', 't']);
    expect(noPolicy.code).toBe(1);
    expect(noPolicy.stderr).toMatch(/No policy at .*pushcut train sft/);
  });
});

describe('pushcut train rl on a robot', { timeout: 180_000 }, () => {
  it('runs labelled episodes on a serial SO-101, updates the policy and keeps checkpoints and rollouts', async () => {
    const out = join(work, 'rl-serial');
    const cli = pushcutLive(
      [
        'train',
        'rl',
        '--from',
        sft,
        '-o',
        out,
        ...serialArgs,
        '--task',
        'press the button',
        '--group-size',
        '2',
        '--time-limit',
        '0.6',
        '--updates',
        '1',
        '--lr',
        '0.01',
      ],
      { timeoutMs: 70_000 },
    );
    await cli.waitFor(/Episode 1 \(group 1\/2\): set the scene up for "press the button"/);
    cli.send('');
    await cli.waitFor(/Episode 1: time is up — was it a success\? s \/ f/);
    cli.send('s');
    await cli.waitFor(/Episode 1: success \(time-limit, \d+ steps\)/);
    await cli.waitFor(/Episode 2 \(group 2\/2\)/);
    cli.send('b');
    await cli.waitFor(/Episode 2: running policy v0/);
    cli.send('f');
    await cli.waitFor(/Episode 2: failure \(failure-key/);
    await cli.waitFor(/Group robot-g0: rewards 1 0 → update/);
    await cli.waitFor(/Update 1: loss -?\d/, 120_000);
    const run = await cli.done;
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toMatch(/RL done after 1 update\(s\), 2 episode\(s\) recorded/);
    expect(existsSync(join(out, 'checkpoints', 'update-0001.ckpt'))).toBe(true);
    expect(existsSync(join(out, 'checkpoints', 'latest.ckpt'))).toBe(true);
    expect(existsSync(join(out, 'policy.onnx'))).toBe(true);
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(report).toContain('1/2 episodes labelled successful');
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'))).toMatchObject({
      name: 'rl-serial',
      kind: 'rl',
      state: 'done',
      result: { policyVersion: 1, episodes: 2, successes: 1 },
    });
    const ds = await openDataset(join(out, 'rollouts'));
    expect(ds.listEpisodes().map((e) => e.success)).toEqual([true, false]);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['episode-ended', 'episode-ended', 'updated']);
  });

  it('keeps finished episodes when stopped with Ctrl-C on a ROS robot; an unreachable robot is a clear error', async () => {
    const ros = await startRosRig();
    try {
      const out = join(work, 'rl-ros');
      const cli = pushcutLive([
        'train',
        'rl',
        '--from',
        sft,
        '-o',
        out,
        ...rosArgs(ros.url),
        '--task',
        'press the button',
        '--time-limit',
        '30',
      ]);
      await cli.waitFor(/Episode 1 .*set the scene up/);
      cli.send('');
      await cli.waitFor(/Episode 1: running policy/);
      cli.send('f');
      await cli.waitFor(/Episode 1: failure/);
      await cli.waitFor(/Episode 2 .*set the scene up/);
      cli.signal('SIGINT');
      const run = await cli.done;
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/RL interrupted after 0 update\(s\), 1 episode\(s\) recorded/);
      expect((await openDataset(join(out, 'rollouts'))).listEpisodes().map((e) => e.success)).toEqual([
        false,
      ]);
    } finally {
      await ros.stop();
    }
    const unreachable = await pushcut([
      'train',
      'rl',
      '--from',
      sft,
      '-o',
      join(work, 'rl-x'),
      '--robot',
      'ws://127.0.0.1:9',
      '--task',
      't',
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /Could not connect to the ROS robot at ws:\/\/127\.0\.0\.1:9.*rosbridge/,
    );
  });
});
