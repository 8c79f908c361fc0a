import type { Backend } from './backend';
import { createIpcBackend, type PushcutBridge } from './ipc-backend';
import { createWsBackend } from './ws-backend';

/** The preload bridge when running in Electron, else the web-mode WebSocket. */
export function selectBackend(): Backend {
  const bridge = (window as unknown as { pushcut?: PushcutBridge }).pushcut;
  return bridge ? createIpcBackend(bridge) : createWsBackend(window.location);
}
