import type { CommandName, EventName, ServerFrame } from '../../../core/api/contract';
import { type Backend, CommandError, type Presence } from './backend';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** Web mode: the Studio API over a WebSocket to 127.0.0.1, authenticated by the launch token. */
export function createWsBackend(location: Location): Backend {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `ws://${location.host}/api?token=${encodeURIComponent(token)}`;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const presenceListeners = new Set<(p: Presence) => void>();
  let presence: Presence = 'connecting';
  let socket: WebSocket | null = null;
  let nextId = 1;
  let retryMs = 500;
  const queue: string[] = [];

  const setPresence = (p: Presence) => {
    presence = p;
    for (const l of presenceListeners) l(p);
  };

  const open = () => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      retryMs = 500;
      setPresence('online');
      for (const m of queue.splice(0)) ws.send(m);
    };
    ws.onmessage = (msg) => {
      const frame = JSON.parse(String(msg.data)) as ServerFrame;
      if (frame.type === 'event') {
        for (const l of listeners.get(frame.name) ?? []) l(frame.payload);
        return;
      }
      const p = pending.get(frame.id);
      if (!p) return;
      pending.delete(frame.id);
      if (frame.ok) p.resolve(frame.value);
      else p.reject(new CommandError(frame.error));
    };
    ws.onclose = () => {
      setPresence('offline');
      for (const p of pending.values()) {
        p.reject(new CommandError({ code: 'failed', message: 'Lost the connection to the Studio backend' }));
      }
      pending.clear();
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  open();

  return {
    shell: 'web',
    presence: () => presence,
    onPresence(l) {
      presenceListeners.add(l);
      return () => presenceListeners.delete(l);
    },
    invoke(command: CommandName, args: unknown) {
      const id = nextId++;
      const text = JSON.stringify({ type: 'invoke', id, command, args });
      return new Promise<unknown>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (socket?.readyState === WebSocket.OPEN) socket.send(text);
        else queue.push(text);
      });
    },
    on(event: EventName, listener: (payload: never) => void) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
  } as Backend;
}
