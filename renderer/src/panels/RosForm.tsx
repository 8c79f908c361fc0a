import { useEffect, useState } from 'react';
import type { CommandArgs, CommandResult } from '../../../core/api/contract';
import { SelectField } from '../components/SelectField';
import { useBackend } from '../stores/studio-store';

type Preset = CommandResult<'ros.presets'>[number];
export type RosConnect = Extract<CommandArgs<'robot.connect'>, { backend: 'ros' }>['options'];

/** rosbridge URL, a preset for common controller setups, and the preset's fields to edit. */
export function RosForm({
  onChange,
}: {
  onChange: (options: RosConnect | null, problem: string | null) => void;
}) {
  const backend = useBackend();
  const [presets, setPresets] = useState<Preset[]>([]);
  const [url, setUrl] = useState('ws://127.0.0.1:9090');
  const [preset, setPreset] = useState<Preset['id']>('ros2ControlTrajectory');
  const [overrides, setOverrides] = useState('{}');
  const [serving, setServing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    backend.invoke('ros.presets', {}).then(setPresets, (e: Error) => setError(e.message));
  }, [backend]);

  useEffect(() => {
    try {
      const parsed = JSON.parse(overrides || '{}') as Record<string, unknown>;
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('must be a JSON object');
      onChange({ url, preset, overrides: parsed }, null);
    } catch (e) {
      onChange(null, `Preset overrides are not valid JSON: ${(e as Error).message}`);
    }
  }, [url, preset, overrides, onChange]);

  const current = presets.find((p) => p.id === preset);
  return (
    <div className="ros-form">
      <label className="field">
        rosbridge URL
        <input type="text" aria-label="rosbridge URL" value={url} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <SelectField<Preset['id']>
        label="Preset"
        name="ROS preset"
        value={preset}
        choices={presets.map((p) => [p.id, p.label] as const)}
        onChange={setPreset}
      />
      <details>
        <summary className="small">Topics and joint names (edit the preset)</summary>
        <pre className="small preset-json">{JSON.stringify(current?.config ?? {}, null, 1)}</pre>
        <label className="field">
          Overrides (JSON, replaces the preset's fields)
          <textarea
            aria-label="Preset overrides"
            rows={4}
            value={overrides}
            onChange={(e) => setOverrides(e.target.value)}
          />
        </label>
      </details>
      <div className="buttons">
        <button
          type="button"
          onClick={async () => {
            try {
              const r = await backend.invoke('ros.serveSim', { port: 9090 });
              setUrl(r.url);
              setPreset('pushcutSim');
              setServing(r.url);
              setError(null);
            } catch (e) {
              setError((e as Error).message);
            }
          }}
        >
          {serving ? 'Restart simulated ROS robot' : 'Serve the simulator over ROS'}
        </button>
      </div>
      {serving && <p className="muted small">Simulated ROS robot at {serving}</p>}
      {error && <p className="error small">{error}</p>}
    </div>
  );
}
