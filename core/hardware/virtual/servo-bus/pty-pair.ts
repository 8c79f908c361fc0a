import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;
/** socat would outlive a crashed parent; kill what is left when this process exits. */
function killOnExit(proc: ChildProcess, dir: string): void {
  live.set(proc, dir);
  proc.once('exit', () => live.delete(proc));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [p, dir] of live) {
      p.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** A pty pair made by socat: bytes written to one end come out of the other. */
export class PtyPair {
  private constructor(
    readonly dir: string,
    readonly a: string,
    readonly b: string,
    private readonly proc: ChildProcess,
  ) {}

  static async create(): Promise<PtyPair> {
    const dir = mkdtempSync(join(tmpdir(), 'pushcut-pty-'));
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    killOnExit(proc, dir);
    let log = '';
    let failed: Error | null = null;
    proc.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    proc.on('error', (err) => {
      failed =
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? new Error('socat is not installed: the virtual servo bus needs it (`sudo apt install socat`)')
          : err;
    });
    const deadline = Date.now() + 5000;
    while (!(existsSync(a) && existsSync(b) && log.includes('starting data transfer loop'))) {
      if (failed) throw failed;
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill();
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`socat did not create the pty pair: ${log.trim() || 'no output'}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return new PtyPair(dir, a, b, proc);
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Kill socat: both ptys vanish, as when a USB adapter is unplugged. */
  async close(): Promise<void> {
    if (this.alive) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
