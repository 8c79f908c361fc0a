/**
 * Physics steps/s: mujoco-js (WebAssembly, in Node) against native MuJoCo (C, Debian libmujoco-dev)
 * on the same MJCF, the same controls and the same number of steps, and a check that both end in
 * the same state.
 *
 *   npx tsx bench/sim-physics.ts [--steps 4000] [--reps 3]
 *
 * Debian ships MuJoCo 2.2.2, which predates features the arm MJCF uses (gravcomp, dampratio,
 * implicitfast). The arm scene is therefore also run as a 2.2.2-compatible copy (those removed /
 * replaced) in BOTH engines; the original MJCF runs in mujoco-js only. Every row of the table names
 * the exact MJCF it ran. Rates are wall-clock, best of REPS runs; "ratio by CPU time" compares the
 * processes' CPU time instead, which a busy shared machine disturbs less.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import loadMujoco from 'mujoco-js';
import { taskMjcf } from '../core/sim/env';
import { getTask } from '../core/sim/tasks/suite';
import { PROBE_SCENE_MJCF } from '../core/sim/vector/probe-env';

const args = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const STEPS = flag('steps', 4000);
const REPS = flag('reps', 3);
const TOL = 1e-6;

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'out');
mkdirSync(outDir, { recursive: true });

/** Rewrite an MJCF for MuJoCo 2.2.2; returns the new XML and what was changed. */
function compat222(xml: string): { xml: string; changes: string[] } {
  const changes: string[] = [];
  let out = xml;
  for (const attr of ['gravcomp', 'dampratio']) {
    const re = new RegExp(`\\s${attr}="[^"]*"`, 'g');
    if (re.test(out)) {
      out = out.replace(re, '');
      changes.push(`${attr} removed`);
    }
  }
  if (out.includes('integrator="implicitfast"')) {
    out = out.replaceAll('integrator="implicitfast"', 'integrator="implicit"');
    changes.push('implicitfast -> implicit');
  }
  return { xml: out, changes };
}

interface Scene {
  name: string;
  xml: string;
  ctrl: number[];
  native: boolean;
}

const armXml = taskMjcf(getTask('lift_red_cube'));
const arm222 = compat222(armXml);
// Hold a reaching pose (radians, fingers open): the arm moves, the cubes rest on the table.
const armCtrl = [0.3, -0.5, 0.1, 1.6, 0.2, 0.04, 0.04];
const scenes: Scene[] = [
  {
    name: `arm lift_red_cube, 2.2.2 copy (${arm222.changes.join(', ')})`,
    xml: arm222.xml,
    ctrl: armCtrl,
    native: true,
  },
  { name: 'probe scene (2-link arm + free cube)', xml: PROBE_SCENE_MJCF, ctrl: [0.8, -0.6], native: true },
  { name: 'arm lift_red_cube, original MJCF', xml: armXml, ctrl: armCtrl, native: false },
];

const mujoco = await loadMujoco();

interface Run {
  /** Best wall-clock time over the runs, and the process CPU time of the run with the least CPU. */
  seconds: number;
  cpuSeconds: number;
  qpos: number[];
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function runJs(xml: string, ctrl: number[]): Run {
  mujoco.FS.writeFile('/bench.xml', xml);
  const model = mujoco.MjModel.loadFromXML('/bench.xml');
  const data = new mujoco.MjData(model);
  let best = Number.POSITIVE_INFINITY;
  let bestCpu = Number.POSITIVE_INFINITY;
  let qpos: number[] = [];
  for (let r = 0; r < REPS; r++) {
    mujoco.mj_resetData(model, data);
    (data.ctrl as Float64Array).set(ctrl);
    const c0 = cpuNow();
    const t0 = performance.now();
    for (let i = 0; i < STEPS; i++) mujoco.mj_step(model, data);
    best = Math.min(best, (performance.now() - t0) / 1000);
    bestCpu = Math.min(bestCpu, cpuNow() - c0);
    qpos = Array.from(data.qpos as Float64Array);
  }
  data.delete();
  model.delete();
  return { seconds: best, cpuSeconds: bestCpu, qpos };
}

function buildNative(): string | null {
  const bin = join(outDir, 'sim-step');
  const cc = spawnSync('gcc', ['-O2', '-o', bin, join(here, 'native', 'step.c'), '-lmujoco'], {
    encoding: 'utf8',
  });
  if (cc.error || cc.status !== 0) {
    console.log(
      `Native column skipped: could not compile bench/native/step.c (${cc.error?.message ?? cc.stderr.trim()}). Install gcc and libmujoco-dev.`,
    );
    return null;
  }
  return bin;
}

function runNative(bin: string, xml: string, ctrl: number[], tag: string): Run & { version: string } {
  const file = join(outDir, `${tag}.xml`);
  writeFileSync(file, xml);
  let best = Number.POSITIVE_INFINITY;
  let bestCpu = Number.POSITIVE_INFINITY;
  let qpos: number[] = [];
  let version = '?';
  for (let r = 0; r < REPS; r++) {
    const p = spawnSync(bin, [file, String(STEPS), ...ctrl.map(String)], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`native step failed on ${file}: ${p.stderr.trim()}`);
    for (const line of p.stdout.trim().split('\n')) {
      const [key, ...rest] = line.split(' ');
      if (key === 'version') version = rest[0] ?? '?';
      if (key === 'seconds') best = Math.min(best, Number(rest[0]));
      if (key === 'cpu_seconds') bestCpu = Math.min(bestCpu, Number(rest[0]));
      if (key === 'qpos') qpos = rest.map(Number);
    }
  }
  return { seconds: best, cpuSeconds: bestCpu, qpos, version };
}

const bin = buildNative();
const rows: string[][] = [];
let nativeVersion = 'n/a';
for (const [i, s] of scenes.entries()) {
  const js = runJs(s.xml, s.ctrl);
  const jsRate = STEPS / js.seconds;
  if (s.native && bin) {
    const nat = runNative(bin, s.xml, s.ctrl, `physics-scene-${i}`);
    nativeVersion = nat.version;
    const diff = Math.max(...js.qpos.map((q, k) => Math.abs(q - (nat.qpos[k] ?? Number.NaN))));
    rows.push([
      s.name,
      String(STEPS),
      fmt(jsRate),
      fmt(STEPS / nat.seconds),
      (jsRate / (STEPS / nat.seconds)).toFixed(2),
      (nat.cpuSeconds / js.cpuSeconds).toFixed(2),
      diff.toExponential(1),
      diff <= TOL && js.qpos.length === nat.qpos.length ? 'yes' : 'NO',
    ]);
  } else {
    rows.push([
      s.name,
      String(STEPS),
      fmt(jsRate),
      bin ? 'cannot load (MuJoCo < 3)' : 'n/a',
      '-',
      '-',
      '-',
      '-',
    ]);
  }
}

console.log(
  `\nPhysics steps/s, best of ${REPS} runs of ${STEPS} mj_step each (mujoco-js ${mujoco.mj_versionString()} WASM vs native MuJoCo ${nativeVersion})`,
);
console.log(
  `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model}), load average ${loadavg()[0]?.toFixed(1)} at the end (other jobs share this machine)`,
);
console.log(`State agreement: max |qpos_js - qpos_native| <= ${TOL}\n`);
printTable(
  [
    'scene',
    'steps',
    'mujoco-js steps/s',
    'native steps/s',
    'ratio js/native',
    'ratio by CPU time',
    'max |dqpos|',
    'same end state',
  ],
  rows,
);

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

function printTable(head: string[], body: string[][]): void {
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((x, c) => x.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  console.log(line(head));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of body) console.log(line(r));
}
