import { useEffect, useRef, useState } from 'react';
import { CameraView } from '../components/CameraView';
import { JointSliders } from '../components/JointSliders';
import { useKeyboardJog } from '../components/useKeyboardJog';
import type { StudioActions } from '../stores/actions';
import { useStudio } from '../stores/studio-store';

const fmt = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

/** Teleoperate and record demonstrations, with LeRobot's keys: → end, ← re-record, Esc stop. */
export function RecordPanel({ actions }: { actions: StudioActions }) {
  const robot = useStudio((s) => s.robot);
  const images = useStudio((s) => s.images);
  const rec = useStudio((s) => s.recording);
  const task = useStudio((s) => s.task);
  const lastError = useStudio((s) => s.lastError);
  const [dataset, setDataset] = useState('demos');
  const [instruction, setInstruction] = useState('');
  const [note, setNote] = useState('');
  const [recovery, setRecovery] = useState<string | null>(null);
  const [resetSeconds, setResetSeconds] = useState(10);
  const [resetLeft, setResetLeft] = useState(0);
  const resetTimer = useRef<number | null>(null);
  useKeyboardJog(actions, robot !== null);

  const open = rec?.dataset ?? null;
  const recording = rec?.state === 'recording';
  const taskText = instruction || task?.instruction || '';

  const startResetPhase = () => {
    if (resetTimer.current !== null) window.clearInterval(resetTimer.current);
    setResetLeft(resetSeconds);
    resetTimer.current = window.setInterval(() => {
      setResetLeft((left) => {
        if (left <= 1 && resetTimer.current !== null) {
          window.clearInterval(resetTimer.current);
          resetTimer.current = null;
        }
        return Math.max(0, left - 1);
      });
    }, 1000);
  };
  useEffect(() => () => void (resetTimer.current !== null && window.clearInterval(resetTimer.current)), []);

  const start = () => {
    setResetLeft(0);
    void actions.startEpisode(taskText || undefined);
  };
  const end = async (success: boolean | null) => {
    await actions.endEpisode({ success, ...(note ? { note } : {}) });
    setNote('');
    startResetPhase();
  };
  const rerecord = async () => {
    await actions.discardEpisode();
    start();
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement | null)?.tagName === 'INPUT') return;
      if (e.key === 'ArrowRight' && recording) void end(null);
      else if (e.key === 'ArrowLeft' && recording) void rerecord();
      else if (e.key === 'Escape' && recording) void end(null).then(() => setResetLeft(0));
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (!robot) {
    return (
      <section className="panel">
        <h1>Teleop &amp; Record</h1>
        <p className="notice">Connect a robot first (Connect panel).</p>
      </section>
    );
  }

  return (
    <section className="panel record">
      <h1>Teleop &amp; Record</h1>
      <div className="columns">
        <div className="card setup">
          <h2>Dataset</h2>
          <div className="row">
            <input
              type="text"
              aria-label="Dataset name"
              value={dataset}
              onChange={(e) => setDataset(e.target.value)}
              disabled={recording}
            />
            <button
              type="button"
              disabled={recording}
              onClick={async () => {
                const r = await actions.openDataset(dataset);
                setRecovery(r?.recovery ?? null);
              }}
            >
              Open
            </button>
          </div>
          {open && (
            <p className="muted small" data-testid="dataset-open">
              Recording into <b>{open}</b> · {rec?.totalEpisodes ?? 0} episodes · {rec?.totalFrames ?? 0}{' '}
              frames
            </p>
          )}
          {recovery && <p className="notice small">{recovery}</p>}

          <h2>Episode</h2>
          <label className="field">
            Task instruction
            <input
              type="text"
              aria-label="Task instruction"
              value={taskText}
              onChange={(e) => setInstruction(e.target.value)}
              disabled={recording}
            />
          </label>
          <div className="timer" data-testid="episode-timer">
            {recording ? '● REC ' : ''}
            {fmt(rec?.seconds ?? 0)} · <span data-testid="frame-count">{rec?.frames ?? 0}</span> frames
          </div>
          {(rec?.dropped ?? 0) + (rec?.missed ?? 0) > 0 && (
            <p className="warning small">
              {rec?.dropped} frames dropped (encoder behind), {rec?.missed} missed (control loop late)
            </p>
          )}
          {resetLeft > 0 && !recording && (
            <p className="notice" data-testid="reset-timer">
              Reset the scene — {fmt(resetLeft)}
            </p>
          )}
          <div className="buttons wrap">
            <button type="button" className="primary" disabled={!open || recording} onClick={start}>
              Start episode
            </button>
            <button type="button" disabled={!recording} onClick={() => void end(true)}>
              End: success
            </button>
            <button type="button" disabled={!recording} onClick={() => void end(false)}>
              End: failure
            </button>
            <button type="button" disabled={!recording} onClick={() => void end(null)} title="→">
              End →
            </button>
            <button type="button" disabled={!recording} onClick={() => void rerecord()} title="←">
              ← Re-record
            </button>
          </div>
          <label className="field">
            Note for this episode
            <input
              type="text"
              aria-label="Episode note"
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
          </label>
          <label className="field">
            Reset time between episodes (s)
            <input
              type="text"
              inputMode="numeric"
              aria-label="Reset seconds"
              value={resetSeconds}
              onChange={(e) => setResetSeconds(Math.max(0, Number(e.target.value) || 0))}
            />
          </label>
          {task && (
            <>
              <h2>Simulator</h2>
              <p className="small">
                Task <b>{task.id}</b>:{' '}
                <span data-testid="task-success">{task.success ? 'solved' : 'not solved'}</span>
              </p>
              <div className="buttons">
                <button type="button" onClick={() => void actions.setExpert(!task.expert)}>
                  {task.expert ? 'Stop expert' : 'Expert drives the arm'}
                </button>
                <button type="button" disabled={recording} onClick={() => void actions.resetScene()}>
                  New scene
                </button>
              </div>
            </>
          )}
          {lastError && (
            <p className="error" role="alert">
              {lastError}
            </p>
          )}
          <p className="muted small">
            Keys: → end episode · ← re-record · Esc stop · Space e-stop · Q/A W/S E/D R/F T/G Y/H jog joints
          </p>
        </div>
        <div className="live">
          <div className="cameras">
            {robot.cameras.map((c) => (
              <CameraView key={c.name} name={c.name} image={images[c.name]} />
            ))}
          </div>
          <div className="card">
            <h2>Joints</h2>
            <JointSliders robot={robot} actions={actions} />
          </div>
        </div>
      </div>
    </section>
  );
}
