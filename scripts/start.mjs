#!/usr/bin/env node
// `npm start`: build the UI if needed, then open the desktop app, or web mode where Electron
// cannot run (no binary, no display), with one line saying why.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function needsBuild() {
  const built = join(root, 'dist/renderer/index.html');
  const electronMain = join(root, 'dist/electron/main.mjs');
  if (!existsSync(built) || !existsSync(electronMain)) return true;
  const builtAt = statSync(built).mtimeMs;
  return newestMtime(join(root, 'renderer')) > builtAt || newestMtime(join(root, 'electron')) > builtAt;
}

function electronUnavailable() {
  if (process.env.PUSHCUT_WEB === '1') return 'PUSHCUT_WEB=1 asks for web mode';
  let binary;
  try {
    binary = require('electron');
  } catch {
    return 'the Electron binary is not installed (it is an optional download; `npm install electron` with internet access adds it)';
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return 'the Electron binary is missing';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  }
  return null;
}

if (needsBuild()) {
  console.log('Building the UI (first start or sources changed)…');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const extra = process.argv.slice(2);
const reason = electronUnavailable();
const child = reason
  ? spawn(process.execPath, ['--import', 'tsx', 'scripts/serve-web.ts', ...extra], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, PUSHCUT_WEB_REASON: reason },
    })
  : spawn(require('electron'), [join(root, 'dist/electron/main.mjs'), ...extra], {
      cwd: root,
      stdio: 'inherit',
    });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
