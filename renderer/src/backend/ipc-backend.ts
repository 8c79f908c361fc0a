import type { ApiErrorShape, CommandName, EventName } from '../../../core/api/contract';
import { type Backend, CommandError } from './backend';

/** What electron/preload exposes as `window.pushcut`. */
export interface PushcutBridge {
  shell: 'electron';
  invoke(command: CommandName, args: unknown): Promise<unknown>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}

/** Desktop mode: the Studio API through the preload's typed bridge (IPC to the main process). */
export function createIpcBackend(bridge: PushcutBridge): Backend {
  return {
    shell: 'electron',
    presence: () => 'online',
    onPresence: () => () => undefined,
    invoke: (command: CommandName, args: unknown) =>
      bridge.invoke(command, args).catch((e: ApiErrorShape) => {
        throw new CommandError(e);
      }),
    on: (event: EventName, listener: (payload: never) => void) =>
      bridge.on(event, listener as (p: unknown) => void),
  } as Backend;
}
