import { describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES, EVENT_NAMES } from '../../core/api/names';
import { EVENT_CHANNEL, exposeBridge, INVOKE_CHANNEL, type PreloadElectron } from '../../electron/bridge';

/** A stand-in for Electron's preload modules that records what is exposed and sent. */
function standIn() {
  const exposed: Record<string, unknown> = {};
  const listeners = new Map<string, Set<(e: unknown, ...a: unknown[]) => void>>();
  const invoke = vi.fn(async (_channel: string, command: unknown) =>
    command === 'robot.move'
      ? { ok: false, error: { code: 'invalid_args', message: 'bad', field: 'target' } }
      : { ok: true, value: { echoed: command } },
  );
  const electron: PreloadElectron = {
    contextBridge: {
      exposeInMainWorld: (key, api) => {
        exposed[key] = api;
      },
    },
    ipcRenderer: {
      invoke,
      on: (ch, l) => {
        if (!listeners.has(ch)) listeners.set(ch, new Set());
        listeners.get(ch)!.add(l);
      },
      removeListener: (ch, l) => listeners.get(ch)?.delete(l),
    },
  };
  const emit = (name: string, payload: unknown) => {
    for (const l of listeners.get(EVENT_CHANNEL) ?? []) l({}, name, payload);
  };
  return { electron, exposed, invoke, emit, listeners };
}

describe('preload bridge', () => {
  it('exposes only window.pushcut with shell, invoke and on; never ipcRenderer', () => {
    const s = standIn();
    exposeBridge(s.electron, COMMAND_NAMES, EVENT_NAMES);
    expect(Object.keys(s.exposed)).toEqual(['pushcut']);
    const api = s.exposed.pushcut as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on', 'shell']);
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.values(api)).not.toContain(s.electron.ipcRenderer);
    expect(JSON.stringify(api)).not.toContain('ipcRenderer');
  });

  it('forwards contract commands on one channel and unwraps results and errors', async () => {
    const s = standIn();
    const api = exposeBridge(s.electron, COMMAND_NAMES, EVENT_NAMES);
    await expect(api.invoke('app.info', {})).resolves.toEqual({ echoed: 'app.info' });
    expect(s.invoke).toHaveBeenCalledWith(INVOKE_CHANNEL, 'app.info', {});
    await expect(api.invoke('robot.move', { target: [] })).rejects.toMatchObject({ field: 'target' });
  });

  it('refuses commands and events outside the contract without touching IPC', async () => {
    const s = standIn();
    const api = exposeBridge(s.electron, COMMAND_NAMES, EVENT_NAMES);
    await expect(api.invoke('shell.exec' as never, {})).rejects.toThrow(/Unknown command/);
    expect(s.invoke).not.toHaveBeenCalled();
    expect(() => api.on('secrets' as never, () => undefined)).toThrow(/Unknown event/);
  });

  it('delivers only the subscribed event and unsubscribes', () => {
    const s = standIn();
    const api = exposeBridge(s.electron, COMMAND_NAMES, EVENT_NAMES);
    const got: unknown[] = [];
    const off = api.on('log', (p) => got.push(p));
    s.emit('metrics', { fps: 1 });
    s.emit('log', { message: 'hi' });
    off();
    s.emit('log', { message: 'after' });
    expect(got).toEqual([{ message: 'hi' }]);
    expect(s.listeners.get(EVENT_CHANNEL)?.size).toBe(0);
  });
});
