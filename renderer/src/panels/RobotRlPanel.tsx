import { useCallback, useEffect, useState } from 'react';
import type { CommandArgs, CommandResult, EventPayload } from '../../../core/api/contract';
import { JointSliders } from '../components/JointSliders';
import { NumberField } from '../components/NumberField';
import { SelectField } from '../components/SelectField';
import { TextField } from '../components/TextField';
import { pct } from '../format';
import type { StudioActions } from '../stores/actions';
import { setRobotRl, useBackend, useStudio, useStudioStore } from '../stores/studio-store';

type Status = EventPayload<'robotRl'>['status'];
type Run = CommandResult<'runs.list'>[number];
type RlCommand =
  | 'robotRl.start'
  | 'robotRl.resetDone'
  | 'robotRl.label'
  | 'robotRl.takeOver'
  | 'robotRl.stop'
  | 'robotRl.trainDetector'
  | 'robotRl.autoLabel'
  | 'robotRl.overrule';
/** Every robotRl command answers with the session status; the panel shows it or the error. */
type RlCall = <C extends RlCommand>(command: C, args: CommandArgs<C>) => Promise<void>;

const END_LABEL: Record<Status['episodes'][number]['end'], string> = {
  'success-key': 'S key',
  'failure-key': 'F key',
  'time-limit': 'time limit',
  estop: 'e-stop',
};

/**
 * RL on the connected robot: the person resets the scene, the policy runs, the person labels the
 * episode (or the success detector does, once it is good enough). Keys: Enter or B (a pedal) =
 * scene reset done, S = success, F = failure, T = take over / hand back, Space = e-stop.
 */
export function RobotRlPanel({ actions }: { actions: StudioActions }) {
  const backend = useBackend();
  const store = useStudioStore();
  const robot = useStudio((s) => s.robot);
  const status = useStudio((s) => s.robotRl);
  const estop = useStudio((s) => s.metrics.estop);
  const [error, setError] = useState<string | null>(null);
  const [runs, setRuns] = useState<Run[]>([]);

  const call: RlCall = useCallback(
    async (command, args) => {
      try {
        const s = (await backend.invoke(command, args as never)) as Status;
        setRobotRl(store, s);
        setError(null);
      } catch (e) {
        setError((e as Error).message);
      }
    },
    [backend, store],
  );

  useEffect(() => {
    backend.invoke('robotRl.status', {}).then(
      (s) => setRobotRl(store, s),
      () => undefined,
    );
    backend.invoke('runs.list', {}).then(setRuns, (e: Error) => setError(e.message));
  }, [backend, store]);

  const active = !!status?.active;
  const phase = status?.phase ?? 'idle';
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement | null)?.tagName;
      if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || e.repeat || e.ctrlKey || e.metaKey)
        return;
      const key = e.key.toLowerCase();
      if ((key === 'enter' || key === 'b') && phase === 'awaiting-reset') void call('robotRl.resetDone', {});
      else if ((key === 's' || key === 'f') && (phase === 'running' || phase === 'labelling'))
        void call('robotRl.label', { success: key === 's' });
      else if (key === 't' && phase === 'running')
        void call('robotRl.takeOver', { active: !status?.intervening });
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, phase, status?.intervening, call]);

  return (
    <section className="panel robot-rl">
      <h1>RL on the robot</h1>
      {!robot && (
        <p className="notice">
          Connect a robot first (Connect panel): a servo arm, a ROS robot or the simulator.
        </p>
      )}
      {active && status ? (
        <SessionView status={status} call={call} estop={estop} actions={actions} />
      ) : (
        <StartForm
          runs={runs}
          disabled={!robot}
          onStart={(args) => call('robotRl.start', args)}
          last={status}
        />
      )}
      {error && (
        <p className="error" role="alert" data-testid="robot-rl-error">
          {error}
        </p>
      )}
    </section>
  );
}

function StartForm({
  runs,
  disabled,
  onStart,
  last,
}: {
  runs: Run[];
  disabled: boolean;
  onStart: (args: CommandArgs<'robotRl.start'>) => Promise<void>;
  last: Status | null;
}) {
  const sftRuns = runs.filter((r) => r.kind === 'sft' && r.state === 'done');
  const [sftRun, setSftRun] = useState('');
  const [instruction, setInstruction] = useState('');
  const [groupSize, setGroupSize] = useState(4);
  const [timeLimitS, setTimeLimitS] = useState(30);
  const [temperature, setTemperature] = useState(1.6);
  const [reward, setReward] = useState<'human' | 'detector'>('human');
  useEffect(() => setSftRun((r) => r || sftRuns[0]?.name || ''), [sftRuns]);

  return (
    <div className="card">
      <h2>Start a session</h2>
      <div className="grid3">
        <SelectField
          label="SFT run"
          value={sftRun}
          choices={sftRuns.map((r) => [r.name, r.name] as const)}
          onChange={setSftRun}
        />
        <TextField
          label="Instruction (default: the run's task)"
          name="Instruction"
          value={instruction}
          onChange={setInstruction}
          style={{ gridColumn: 'span 2' }}
        />
        <NumberField label="Group size" value={groupSize} fallback={4} onChange={setGroupSize} />
        <NumberField label="Time limit (s)" value={timeLimitS} fallback={30} onChange={setTimeLimitS} />
        <NumberField label="Temperature" value={temperature} fallback={1.6} onChange={setTemperature} />
        <SelectField
          label="Reward"
          name="Reward source"
          value={reward}
          choices={[
            ['human', 'My labels (S / F keys)'],
            ['detector', 'Success detector once good enough'],
          ]}
          onChange={setReward}
        />
      </div>
      <div className="buttons">
        <button
          type="button"
          className="primary"
          disabled={disabled || !sftRun}
          onClick={() =>
            void onStart({
              sftRun,
              groupSize,
              timeLimitS,
              temperature,
              reward,
              ...(instruction.trim() ? { instruction: instruction.trim() } : {}),
            })
          }
        >
          Start RL on the robot
        </button>
      </div>
      {sftRuns.length === 0 && (
        <p className="muted small">RL starts from a finished SFT run: train one first.</p>
      )}
      {last && last.phase === 'stopped' && (
        <p className="small" data-testid="robot-rl-summary">
          Last session: {last.episodes.length} episodes, policy version {last.policyVersion}, rollouts in
          dataset {last.dataset}, policy in run {last.run}.
        </p>
      )}
    </div>
  );
}

function SessionView({
  status: s,
  call,
  estop,
  actions,
}: {
  status: Status;
  call: RlCall;
  estop: boolean;
  actions: StudioActions;
}) {
  const robot = useStudio((st) => st.robot);
  const run = call;
  const d = s.detector;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 16 }}>
      <div className="card">
        <p
          className="instruction"
          data-testid="robot-rl-instruction"
          style={{ fontSize: '1.8rem', margin: '0.2rem 0' }}
        >
          {s.instruction}
        </p>
        <p className="notice" data-testid="robot-rl-prompt" style={{ fontSize: '1.2rem' }}>
          {estop && s.phase === 'awaiting-reset'
            ? 'E-stop is active: release it, then reset the scene'
            : s.prompt}
        </p>
        <p className="small" data-testid="robot-rl-progress">
          Episode {s.episode} · group {s.groupIndex}/{s.groupSize} · groups done {s.groupsDone}
          {s.groupsDropped ? ` (${s.groupsDropped} dropped: equal rewards, nothing to learn)` : ''} · policy
          version <span data-testid="robot-rl-version">{s.policyVersion}</span>
          {s.updating ? ' · updating the policy…' : ''}
        </p>
        {s.phase === 'labelling' && s.proposal !== null && (
          <p className="small" data-testid="robot-rl-proposal">
            Success detector proposes: {s.proposal >= 0.5 ? 'success' : 'failure'} ({pct(s.proposal)})
          </p>
        )}
        <div className="buttons wrap">
          <button
            type="button"
            className="primary"
            disabled={s.phase !== 'awaiting-reset'}
            onClick={() => void run('robotRl.resetDone', {})}
          >
            Scene reset (Enter)
          </button>
          <button
            type="button"
            disabled={s.phase !== 'running' && s.phase !== 'labelling'}
            onClick={() => void run('robotRl.label', { success: true })}
          >
            Success (S)
          </button>
          <button
            type="button"
            disabled={s.phase !== 'running' && s.phase !== 'labelling'}
            onClick={() => void run('robotRl.label', { success: false })}
          >
            Failure (F)
          </button>
          <button
            type="button"
            disabled={s.phase !== 'running'}
            onClick={() => void run('robotRl.takeOver', { active: !s.intervening })}
          >
            {s.intervening ? 'Hand back (T)' : 'Take over (T)'}
          </button>
          <button type="button" onClick={() => void run('robotRl.stop', {})}>
            Stop session
          </button>
        </div>
        {s.intervening && robot && (
          <>
            <p className="small">
              You have the arm: move it with the sliders, the leader arm or the gamepad.
            </p>
            <JointSliders robot={robot} actions={actions} />
          </>
        )}
        {s.error && <p className="error">{s.error}</p>}
      </div>
      <div className="card">
        <h2>Episodes</h2>
        <table className="episode-list" data-testid="robot-rl-episodes">
          <thead>
            <tr>
              <th>#</th>
              <th>Reward</th>
              <th>Ended by</th>
              <th>Labelled by</th>
              <th>Steps</th>
              <th>Taken over</th>
              <th>Policy</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {s.episodes.map((e) => (
              <tr key={e.episode}>
                <td>{e.episode}</td>
                <td>{e.reward === 1 ? 'success' : 'failure'}</td>
                <td>{END_LABEL[e.end]}</td>
                <td>{e.labelledBy}</td>
                <td>{e.steps}</td>
                <td>{e.interventionSteps || ''}</td>
                <td>v{e.policyVersion}</td>
                <td>
                  <button
                    type="button"
                    className="chip"
                    title="Overrule this label (the dataset and the success detector follow)"
                    onClick={() =>
                      void run('robotRl.overrule', { episode: e.episode, success: e.reward !== 1 })
                    }
                  >
                    {e.reward === 1 ? 'Was a failure' : 'Was a success'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {s.lastUpdate && (
          <p className="small">
            Update {s.lastUpdate.policyVersion}: loss {s.lastUpdate.metrics.loss?.toFixed(4) ?? '—'}
          </p>
        )}
        {d && (
          <div data-testid="robot-rl-detector">
            <h2>Success detector</h2>
            <p className="small">
              {d.labels} labelled final frames · precision {pct(d.precision)} · recall {pct(d.recall)} on{' '}
              {d.heldOut} held-out labels (needs {pct(d.bar.precision)} / {pct(d.bar.recall)} on{' '}
              {d.bar.heldOut}){d.training ? ' · training…' : ''}
            </p>
            <div className="buttons">
              <button
                type="button"
                disabled={d.training}
                onClick={() => void run('robotRl.trainDetector', {})}
              >
                Train detector
              </button>
              <label className="small">
                <input
                  type="checkbox"
                  aria-label="Let the detector label"
                  checked={d.autoLabel}
                  disabled={!d.goodEnough && !d.autoLabel}
                  onChange={(e) => void run('robotRl.autoLabel', { enabled: e.target.checked })}
                />{' '}
                Let it label episodes
              </label>
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
