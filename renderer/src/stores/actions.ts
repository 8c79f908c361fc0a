import type { StoreApi } from 'zustand';
import type { CommandArgs } from '../../../core/api/contract';
import type { Backend } from '../backend/backend';
import type { StudioState } from './studio-store';

/** Actions kept apart from state: each calls the backend and records a readable error. */
export function studioActions(backend: Backend, store: StoreApi<StudioState>) {
  const attempt = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      const v = await fn();
      store.setState({ lastError: null });
      return v;
    } catch (err) {
      store.setState({ lastError: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  };
  return {
    refresh: () =>
      attempt(async () => {
        const [backends, tasks, status] = await Promise.all([
          backend.invoke('robot.backends', {}),
          backend.invoke('sim.tasks', {}),
          backend.invoke('robot.status', {}),
        ]);
        store.setState({ backends, tasks, connection: status, robot: status.robot });
      }),
    connect: (args: CommandArgs<'robot.connect'>) =>
      attempt(async () => {
        const robot = await backend.invoke('robot.connect', args);
        store.setState({ robot, history: [] });
      }),
    disconnect: () => attempt(() => backend.invoke('robot.disconnect', {})),
    move: (target: number[]) => attempt(() => backend.invoke('robot.move', { target })),
    estop: () => attempt(() => backend.invoke('robot.estop', {})),
    openDataset: (dataset: string) => attempt(() => backend.invoke('record.open', { dataset })),
    startEpisode: (task?: string) => attempt(() => backend.invoke('record.start', task ? { task } : {})),
    endEpisode: (label: { success?: boolean | null; note?: string }) =>
      attempt(() => backend.invoke('record.end', label)),
    discardEpisode: () => attempt(() => backend.invoke('record.discard', {})),
    setExpert: (enabled: boolean) => attempt(() => backend.invoke('sim.expert', { enabled })),
    resetScene: () => attempt(() => backend.invoke('sim.reset', {})),
    release: () => attempt(() => backend.invoke('robot.release', {})),
  };
}

export type StudioActions = ReturnType<typeof studioActions>;
