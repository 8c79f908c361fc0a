import { spawn } from 'node:child_process';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the real `pushcut` bin in a child process. */
export function pushcut(
  args: string[],
  opts: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/pushcut.js', ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pushcut ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface LiveCli {
  /** Send one line on stdin (a key: "n", "right", "" for Enter, " " for Space). */
  send(line: string): void;
  /** Resolves once stdout+stderr, after what earlier waits consumed, matches `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Everything printed so far. */
  output(): string;
  signal(sig: NodeJS.Signals): void;
  done: Promise<CliRun>;
}

/** The `pushcut` bin driven interactively: stdin is a pipe, so it reads keys as lines. */
export function pushcutLive(args: string[], opts: { timeoutMs?: number } = {}): LiveCli {
  const child = spawn(process.execPath, ['bin/pushcut.js', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let all = '';
  let consumed = 0;
  const checks = new Set<() => void>();
  const onData = (which: 'out' | 'err') => (d: Buffer) => {
    if (which === 'out') stdout += d;
    else stderr += d;
    all += d;
    for (const c of [...checks]) c();
  };
  child.stdout.on('data', onData('out'));
  child.stderr.on('data', onData('err'));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 150_000);
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const c of [...checks]) c();
      resolve({ code, stdout, stderr });
    });
  });
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  return {
    send: (line) => {
      if (!child.stdin.destroyed) child.stdin.write(`${line}\n`);
    },
    waitFor: (re, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = all.slice(consumed).match(re);
          if (m) {
            consumed += (m.index ?? 0) + m[0].length;
            checks.delete(check);
            clearTimeout(t);
            resolve(m);
          } else if (exited || child.exitCode !== null) {
            checks.delete(check);
            clearTimeout(t);
            reject(new Error(`pushcut exited before printing ${re}:\n${all}`));
          }
        };
        const t = setTimeout(() => {
          checks.delete(check);
          reject(new Error(`pushcut did not print ${re} within ${timeoutMs} ms:\n${all}`));
        }, timeoutMs);
        checks.add(check);
        check();
      }),
    output: () => all,
    signal: (sig) => child.kill(sig),
    done,
  };
}
