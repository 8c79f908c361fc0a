import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  ApiErrorShape,
  CommandArgs,
  CommandName,
  CommandResult,
  EventName,
  EventPayload,
  ServerFrame,
  StudioApi,
} from './contract';
import { ApiError } from './errors';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** The Studio as seen from a shell: same API, running in its own process (see studio-host.ts). */
export class StudioClient implements StudioApi {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private listeners = new Map<EventName, Set<(p: unknown) => void>>();
  private anyListeners = new Set<(name: EventName, payload: unknown) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (frame: ServerFrame) => this.receive(frame));
    child.on('error', (err) => this.failAll(`The Studio process failed: ${err.message}`));
    child.on('exit', (code, signal) =>
      this.failAll(`The Studio process exited (${signal ?? `code ${code}`})`),
    );
  }

  /** `hostModule` defaults to studio-host beside this file (bundled shells pass its path). */
  static start(shell: 'electron' | 'web' | 'test', version: string, hostModule?: URL): StudioClient {
    const base = fileURLToPath(hostModule ?? new URL('./studio-host', import.meta.url)).replace(
      /\.(ts|js)$/,
      '',
    );
    const file = existsSync(`${base}.js`) ? `${base}.js` : `${base}.ts`;
    const child = fork(file, [], {
      execArgv: file.endsWith('.ts') ? ['--import', 'tsx'] : [],
      serialization: 'advanced',
      stdio: 'inherit',
      env: {
        ...process.env,
        PUSHCUT_STUDIO: JSON.stringify({ shell, version }),
        // Inside Electron, process.execPath is Electron itself: run it as plain Node.
        ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}),
      },
    });
    return new StudioClient(child);
  }

  invoke<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (!this.child.connected) {
        reject(new ApiError('failed', 'The Studio process is not running: restart the app'));
        return;
      }
      this.child.send({ type: 'invoke', id, command, args });
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const l = listener as (p: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  /** Every event, for relays (WebSocket, IPC) that forward all of them. */
  onAny(listener: (name: EventName, payload: unknown) => void): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    if (this.child.connected) this.child.send({ type: 'close' });
    const timeout = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timeout);
  }

  private receive(frame: ServerFrame): void {
    if (frame.type === 'event') {
      for (const l of this.listeners.get(frame.name) ?? []) l(frame.payload);
      for (const l of this.anyListeners) l(frame.name, frame.payload);
      return;
    }
    const p = this.pending.get(frame.id);
    if (!p) return;
    this.pending.delete(frame.id);
    if (frame.ok) p.resolve(frame.value);
    else p.reject(toApiError(frame.error));
  }

  private failAll(message: string): void {
    for (const p of this.pending.values()) p.reject(new ApiError('failed', message));
    this.pending.clear();
  }
}

function toApiError(e: ApiErrorShape): ApiError {
  return new ApiError(e.code, e.message, e.field);
}
