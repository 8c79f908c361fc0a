import type { CommandName, EventName } from '../core/api/contract';

/**
 * The preload bridge: the only thing the sandboxed renderer sees of the main process. It exposes
 * `window.pushcut` with `invoke` and `on` for the contract's commands and events, never
 * ipcRenderer itself, and refuses names the contract does not list.
 */

export const INVOKE_CHANNEL = 'pushcut:invoke';
export const EVENT_CHANNEL = 'pushcut:event';

/** The parts of Electron's preload modules the bridge uses (a stand-in implements these in tests). */
export interface PreloadElectron {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
    removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  };
}

export interface PushcutBridge {
  readonly shell: 'electron';
  invoke(command: CommandName, args: unknown): Promise<unknown>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}

export function exposeBridge(
  electron: PreloadElectron,
  commands: readonly string[],
  events: readonly string[],
): PushcutBridge {
  const commandSet = new Set(commands);
  const eventSet = new Set(events);
  const { ipcRenderer } = electron;
  const bridge: PushcutBridge = Object.freeze({
    shell: 'electron' as const,
    invoke(command: CommandName, args: unknown) {
      if (typeof command !== 'string' || !commandSet.has(command)) {
        return Promise.reject(new Error(`Unknown command "${String(command)}"`));
      }
      return ipcRenderer.invoke(INVOKE_CHANNEL, command, args).then((reply) => {
        const r = reply as { ok: boolean; value?: unknown; error?: unknown };
        // Rejections carry the plain {code, message, field} shape: it survives the context bridge.
        return r.ok ? r.value : Promise.reject(r.error);
      });
    },
    on(event: EventName, listener: (payload: unknown) => void) {
      if (typeof event !== 'string' || !eventSet.has(event))
        throw new Error(`Unknown event "${String(event)}"`);
      if (typeof listener !== 'function') throw new Error('on(event, listener): listener must be a function');
      const wrapped = (_e: unknown, name: unknown, payload: unknown) => {
        if (name === event) listener(payload);
      };
      ipcRenderer.on(EVENT_CHANNEL, wrapped as (event: unknown, ...args: unknown[]) => void);
      return () => {
        ipcRenderer.removeListener(EVENT_CHANNEL, wrapped as (event: unknown, ...args: unknown[]) => void);
      };
    },
  });
  electron.contextBridge.exposeInMainWorld('pushcut', bridge);
  return bridge;
}
