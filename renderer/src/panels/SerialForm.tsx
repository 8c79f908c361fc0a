import { useCallback, useEffect, useRef, useState } from 'react';
import type { CommandArgs, CommandResult } from '../../../core/api/contract';
import { SelectField } from '../components/SelectField';
import { useBackend } from '../stores/studio-store';

export type SerialConnect = Extract<
  CommandArgs<'robot.connect'>,
  { backend: 'feetech' | 'dynamixel' }
>['options'];

type Arm = NonNullable<SerialConnect['arm']>;

/** A serial device path (listed or typed), the arm type and its calibration id. */
export function SerialForm({ onChange }: { onChange: (o: SerialConnect) => void }) {
  const backend = useBackend();
  const [ports, setPorts] = useState<CommandResult<'serial.ports'> | null>(null);
  const [port, setPort] = useState('');
  const [arm, setArm] = useState<Arm>('so101');
  const [id, setId] = useState('default');
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  /** While the virtual arm starts, a port scan must not fill in another port. */
  const startingRef = useRef(false);

  const refresh = useCallback(async () => {
    try {
      const p = await backend.invoke('serial.ports', {});
      setPorts(p);
      if (!startingRef.current) setPort((x) => x || p.ports[0]?.path || '');
    } catch (e) {
      setError((e as Error).message);
    }
  }, [backend]);
  useEffect(() => void refresh(), [refresh]);
  useEffect(() => onChange({ port, arm, id }), [port, arm, id, onChange]);

  return (
    <div className="serial-form">
      <label className="field">
        Serial port
        <input
          type="text"
          aria-label="Serial port"
          list="serial-ports"
          value={port}
          onChange={(e) => setPort(e.target.value)}
        />
        <datalist id="serial-ports">
          {ports?.ports.map((p) => (
            <option key={p.path} value={p.path}>
              {p.description}
            </option>
          ))}
        </datalist>
      </label>
      <p className="muted small">
        {ports ? `${ports.ports.length} port(s) found` : 'Looking for ports…'} {ports?.note ?? ''}{' '}
        <button type="button" className="chip" onClick={() => void refresh()}>
          Rescan
        </button>
      </p>
      <div className="grid3">
        <SelectField<Arm>
          label="Arm"
          name="Arm type"
          value={arm}
          choices={[
            ['so101', 'SO-101'],
            ['so100', 'SO-100'],
            ['koch', 'Koch'],
          ]}
          onChange={setArm}
        />
        <label className="field" style={{ gridColumn: 'span 2' }}>
          Calibration id
          <input type="text" aria-label="Calibration id" value={id} onChange={(e) => setId(e.target.value)} />
        </label>
      </div>
      <div className="buttons">
        <button
          type="button"
          disabled={starting}
          onClick={async () => {
            // the virtual arm's port replaces whatever was chosen: no stale port while its scene loads
            setPort('');
            setStarting(true);
            startingRef.current = true;
            try {
              const v = await backend.invoke('serial.virtualStart', {});
              setPort(v.devicePath);
              setId('pushcut_virtual');
              setArm('so101');
              setError(null);
              void refresh();
            } catch (e) {
              setError((e as Error).message);
            } finally {
              startingRef.current = false;
              setStarting(false);
            }
          }}
        >
          {starting ? 'Starting the virtual SO-101…' : 'Start a virtual SO-101'}
        </button>
      </div>
      {error && <p className="error small">{error}</p>}
    </div>
  );
}
