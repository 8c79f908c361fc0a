import { createContext, useContext } from 'react';
import { createStore, type StoreApi, useStore } from 'zustand';
import type {
  BackendInfo,
  EventPayload,
  LogEntry,
  RobotDescription,
  SimTask,
} from '../../../core/api/contract';
import type { Backend, Presence } from '../backend/backend';

export interface CameraImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

export interface StudioState {
  presence: Presence;
  connection: EventPayload<'connection'>;
  robot: RobotDescription | null;
  backends: BackendInfo[];
  tasks: SimTask[];
  state: number[] | null;
  /** Recent joint states for the live plot: [t, ...joints]. */
  history: number[][];
  images: Record<string, CameraImage>;
  metrics: EventPayload<'metrics'>;
  recording: EventPayload<'recording'> | null;
  task: EventPayload<'observation'>['task'];
  logs: LogEntry[];
  /** RL on the robot: the session's latest status (null until the first event or status call). */
  robotRl: EventPayload<'robotRl'>['status'] | null;
  lastError: string | null;
}

const initial: StudioState = {
  presence: 'connecting',
  connection: { state: 'disconnected', backend: null, robot: null, message: 'Not connected' },
  robot: null,
  backends: [],
  tasks: [],
  state: null,
  history: [],
  images: {},
  metrics: { fps: 0, latencyMs: 0, estop: false, topics: [] },
  recording: null,
  task: null,
  logs: [],
  robotRl: null,
  lastError: null,
};

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** One store per backend, fed by the backend's event streams. */
export function createStudioStore(backend: Backend): StoreApi<StudioState> {
  const store = createStore<StudioState>(() => ({ ...initial, presence: backend.presence() }));
  backend.onPresence((presence) => store.setState({ presence }));
  backend.on('connection', (connection) =>
    store.setState({
      connection,
      robot: connection.robot,
      ...(connection.robot ? {} : { state: null, images: {} }),
    }),
  );
  backend.on('observation', (obs) => {
    const s = store.getState();
    const images = { ...s.images };
    for (const [name, img] of Object.entries(obs.images)) {
      images[name] = { width: img.width, height: img.height, rgb: decodeBase64(img.rgb) };
    }
    const history = [...s.history.slice(-299), [obs.t, ...obs.state]];
    store.setState({ state: obs.state, images, history, task: obs.task });
  });
  backend.on('metrics', (metrics) => store.setState({ metrics }));
  backend.on('recording', (recording) => store.setState({ recording }));
  backend.on('robotRl', (e) => setRobotRl(store, e.status));
  backend.on('log', (entry) => store.setState((s) => ({ logs: [...s.logs.slice(-199), entry] })));
  return store;
}

/** Keep the newest RL status: a command's answer can arrive after a newer event. */
export function setRobotRl(store: StoreApi<StudioState>, status: EventPayload<'robotRl'>['status']): void {
  const current = store.getState().robotRl;
  if (!current || status.seq >= current.seq) store.setState({ robotRl: status });
}

export const StudioContext = createContext<{ backend: Backend; store: StoreApi<StudioState> } | null>(null);

function useStudioContext() {
  const ctx = useContext(StudioContext);
  if (!ctx) throw new Error('useStudio must be used inside <StudioContext.Provider>');
  return ctx;
}

export function useStudio<T>(selector: (s: StudioState) => T): T {
  return useStore(useStudioContext().store, selector);
}

export function useBackend(): Backend {
  return useStudioContext().backend;
}

export function useStudioStore(): StoreApi<StudioState> {
  return useStudioContext().store;
}
