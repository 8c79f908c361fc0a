import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pushcut } from './helpers';

const work = mkdtempSync(join(tmpdir(), 'pushcut-cli-'));
const dataset = join(work, 'demos');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('pushcut CLI', { timeout: 240_000 }, () => {
  it('prints help for every command and refuses unknown commands and flags', async () => {
    const help = await pushcut(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['serve', 'record', 'dataset', 'train']) expect(help.stdout).toContain(c);
    const unknown = await pushcut(['fly']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command 'fly'/);
    const flag = await pushcut(['record', '--dataset', dataset, '--wings']);
    expect(flag.code).not.toBe(0);
    expect(flag.stderr).toMatch(/unknown option '--wings'/);
  });

  it('records scripted-expert demos, then rejects an unknown task', async () => {
    const ok = await pushcut(['record', '-d', dataset, '-t', 'press_button', '-n', '2']);
    expect(ok.stderr + ok.stdout).toContain('2 episodes (2 successful');
    expect(ok.code).toBe(0);
    const bad = await pushcut(['record', '-d', dataset, '-t', 'juggle']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown task\(s\) juggle; tasks: .*press_button/);
  });

  it('inspects, validates and summarises a dataset; a missing one is a clear error', async () => {
    const info = await pushcut(['dataset', 'info', dataset, '--json']);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ version: 'v3.0', episodes: 2 });
    const valid = await pushcut(['dataset', 'validate', dataset]);
    expect(valid.code).toBe(0);
    const stats = await pushcut(['dataset', 'stats', dataset, '--feature', 'observation.state']);
    expect(stats.stdout).toMatch(/q99/);
    for (const sub of ['info', 'validate', 'stats']) {
      const missing = await pushcut(['dataset', sub, join(work, 'nope')]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/No dataset at .*nope/);
    }
  });

  it('trains SFT on the demos and exports the policy; a missing dataset is a clear error', async () => {
    const out = join(work, 'sft');
    const run = await pushcut([
      'train',
      'sft',
      '-d',
      dataset,
      '-o',
      out,
      '--steps',
      '8',
      '--batch-size',
      '8',
      '--text',
      'positional',
    ]);
    expect(run.stderr + run.stdout).toMatch(/SFT done after 8 steps/);
    expect(existsSync(join(out, 'policy.onnx'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'policy.json'), 'utf8')).extra.config.text).toBe('positional');
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(8);
    const bad = await pushcut(['train', 'sft', '-d', join(work, 'none'), '-o', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/No dataset at .*none .*pushcut record/);
    const badText = await pushcut(['train', 'sft', '-d', dataset, '-o', out, '--text', 'bag']);
    expect(badText.code).not.toBe(0);
    expect(badText.stderr).toMatch(/--text.*mean, positional/);
  });

  it('serves web mode on loopback and stops cleanly on Ctrl-C; a bad port is refused', async () => {
    const child = spawn(process.execPath, ['bin/pushcut.js', 'serve', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/);
        if (m) resolve(m[0]);
      });
      child.on('exit', () => reject(new Error(`serve exited early: ${out}`)));
    });
    expect((await fetch(url)).status).toBeLessThan(600);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const bad = await pushcut(['serve', '--port', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port must be 0\.\.65535/);
  });
});

describe('pushcut demo and the commands around it', { timeout: 400_000 }, () => {
  const out = join(work, 'demo');

  it('runs the whole loop at a tiny size; the report and every artifact it points to exist and agree', async () => {
    const run = await pushcut(['demo', '--tiny', '-o', out], { timeoutMs: 380_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(join(out, 'report.html'));
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(Object.keys(metrics.before)).toEqual(['press_button']);
    expect(Object.keys(metrics.after)).toEqual(['press_button']);
    expect(metrics.demos.episodes).toBe(2);
    expect(metrics.sftLoss).toHaveLength(10);
    expect(html).toContain('SFT loss');
    expect(html).toContain('Pushcuts');
    // LIBERO-style layouts by default, evaluated in the same region
    expect(html).toContain('objects within ±2.5 cm of one nominal scene');
    expect(metrics.config.layoutSpread).toBe(0.025);
    for (const v of metrics.pushcuts.strategies.flatMap((s: { videos: string[] }) => s.videos)) {
      expect(existsSync(v)).toBe(true);
    }
    expect(existsSync(join(out, 'metrics.csv'))).toBe(true);
    expect(existsSync(join(out, 'runs', 'sft', 'policy.onnx'))).toBe(true);
    expect(existsSync(join(out, 'runs', 'rl', 'policy.onnx'))).toBe(true);
    // the RL run carries its own copy of the report, which the app's Train panel opens
    expect(readFileSync(join(out, 'runs', 'rl', 'report.html'), 'utf8')).toContain('Pushcuts');
    const rollouts = await pushcut(['dataset', 'info', join(out, 'datasets', 'rl-rollouts'), '--json']);
    expect(JSON.parse(rollouts.stdout).sources.rollout).toBeGreaterThan(0);
    const bad = await pushcut(['demo', '--tasks', 'juggle', '-o', out]);
    expect(bad.code).toBe(2);
    const wide = await pushcut(['demo', '--layout-spread', '0.5', '-o', out]);
    expect(wide.code).toBe(2);
    expect(wide.stderr).toMatch(/--layout-spread must be metres between 0 and 0\.1/);
  });

  it('evaluates a policy, analyses pushcuts and trains RL from a run folder; bad inputs say what to do', async () => {
    const ev = await pushcut([
      'eval',
      '-p',
      join(out, 'runs', 'sft'),
      '-t',
      'press_button',
      '-n',
      '1',
      '--greedy',
      'argmax',
      '--json',
    ]);
    expect(ev.code, ev.stderr).toBe(0);
    expect(JSON.parse(ev.stdout).successByTask).toHaveProperty('press_button');
    expect(Object.keys(JSON.parse(ev.stdout).stagesByTask.press_button)).toEqual([
      'touched',
      'grasped',
      'lifted',
    ]);
    const badDecoding = await pushcut(['eval', '-p', join(out, 'runs', 'sft'), '--greedy', 'mode']);
    expect(badDecoding.code).toBe(2);
    expect(badDecoding.stderr).toMatch(/--greedy must be one of median, argmax, got "mode"/);
    const noPolicy = await pushcut(['eval', '-p', join(work, 'nothing')]);
    expect(noPolicy.code).toBe(1);
    expect(noPolicy.stderr).toMatch(/No policy at .*pushcut train sft/);

    const analyze = await pushcut([
      'pushcut',
      'analyze',
      join(out, 'datasets', 'rl-rollouts'),
      '--demos',
      join(out, 'datasets', 'demos'),
    ]);
    expect(analyze.code, analyze.stderr).toBe(0);
    expect(analyze.stdout).toMatch(/rollouts, \d+ successes/);
    const noDemos = await pushcut(['pushcut', 'analyze', join(out, 'datasets', 'rl-rollouts')]);
    expect(noDemos.code).toBe(1);
    expect(noDemos.stderr).toMatch(/no demonstrations/i);

    const noSft = await pushcut(['train', 'rl', '--from', join(work, 'nothing'), '-o', join(work, 'rl')]);
    expect(noSft.code).toBe(1);
    expect(noSft.stderr).toMatch(/not an SFT run folder/);
  });

  it('scans and reads a servo bus (the virtual SO-101 on a pty)', async () => {
    const { startVirtualSo101 } = await import('../../core/hardware/serial');
    const bus = await startVirtualSo101();
    try {
      const scan = await pushcut(['bus', 'scan', bus.devicePath]);
      expect(scan.code, scan.stderr).toBe(0);
      // A pty has no real baud rate, so under load the motors may first answer at another rate.
      expect(scan.stdout).toMatch(/\d+ baud: id 1 .*id 6 /);
      const read = await pushcut(['bus', 'read', bus.devicePath]);
      expect(read.code, read.stderr).toBe(0);
      expect(read.stdout).toMatch(/motor 6: \d+/);
    } finally {
      await bus.stop();
    }
  });

  it('lists serial ports and explains a port that does not exist', async () => {
    const ports = await pushcut(['bus', 'ports']);
    expect(ports.code, ports.stderr).toBe(0);
    const scan = await pushcut(['bus', 'scan', '/dev/pushcut-no-such-port']);
    expect(scan.code).toBe(1);
    expect(scan.stderr).toMatch(/does not exist.*pushcut bus ports/);
  });
});
