import { useEffect, useMemo, useState } from 'react';
import { StatusBar } from './components/StatusBar';
import { ConnectPanel } from './panels/ConnectPanel';
import { EpisodesPanel } from './panels/EpisodesPanel';
import { PushcutsPanel } from './panels/PushcutsPanel';
import { RecordPanel } from './panels/RecordPanel';
import { RobotRlPanel } from './panels/RobotRlPanel';
import { TrainPanel } from './panels/TrainPanel';
import { studioActions } from './stores/actions';
import { useBackend, useStudioStore } from './stores/studio-store';

const PANELS = [
  { id: 'connect', label: 'Connect' },
  { id: 'teleop', label: 'Teleop & Record' },
  { id: 'episodes', label: 'Episodes' },
  { id: 'train', label: 'Train' },
  { id: 'robot-rl', label: 'RL on the robot' },
  { id: 'pushcuts', label: 'Pushcuts' },
] as const;
type PanelId = (typeof PANELS)[number]['id'];

export function App() {
  const backend = useBackend();
  const store = useStudioStore();
  const actions = useMemo(() => studioActions(backend, store), [backend, store]);
  const [panel, setPanel] = useState<PanelId>('connect');

  useEffect(() => {
    void actions.refresh();
    return backend.onPresence((p) => {
      if (p === 'online') void actions.refresh();
    });
  }, [actions, backend]);

  // Space is the e-stop everywhere, as on every robot-learning tool people know.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || e.repeat) return;
      const tag = (e.target as HTMLElement | null)?.tagName;
      if (tag === 'INPUT' && (e.target as HTMLInputElement).type === 'text') return;
      e.preventDefault();
      void actions.estop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions]);

  return (
    <div className="app">
      <nav className="nav" aria-label="Panels">
        <div className="brand">
          Pushcut <span>Studio</span>
        </div>
        {PANELS.map((p) => (
          <button
            type="button"
            key={p.id}
            className={p.id === panel ? 'nav-item active' : 'nav-item'}
            onClick={() => setPanel(p.id)}
            aria-current={p.id === panel ? 'page' : undefined}
          >
            {p.label}
          </button>
        ))}
      </nav>
      <main className="main">
        {panel === 'connect' && <ConnectPanel actions={actions} />}
        {panel === 'teleop' && <RecordPanel actions={actions} />}
        {panel === 'episodes' && <EpisodesPanel />}
        {panel === 'train' && <TrainPanel />}
        {panel === 'robot-rl' && <RobotRlPanel actions={actions} />}
        {panel === 'pushcuts' && <PushcutsPanel />}
      </main>
      <StatusBar actions={actions} />
    </div>
  );
}
