import { useEffect, useState } from 'react';
import type { EventPayload } from '../../../core/api/contract';
import { useBackend } from '../stores/studio-store';

type Calib = EventPayload<'calibration'>;

/** LeRobot's calibration as three steps: middle pose, full ranges, write to the motors. */
export function CalibrationWizard({ virtualArm }: { virtualArm: boolean }) {
  const backend = useBackend();
  const [state, setState] = useState<Calib | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => backend.on('calibration', setState), [backend]);

  // One step at a time: finishing while the joints are still being moved would record half ranges.
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const step = state?.step ?? 'idle';
  return (
    <div className="card calibration" data-testid="calibration">
      <h2>Calibration</h2>
      <p className="small" data-testid="calibration-message">
        {state?.message ??
          "Teach the app where each joint's middle and ends are (saved as a LeRobot calibration file)."}
      </p>
      {step === 'record-ranges' && (
        <table className="episode-list small">
          <tbody>
            {Object.entries(state?.ranges ?? {}).map(([m, r]) => (
              <tr key={m}>
                <td>{m}</td>
                <td>{r.min}</td>
                <td>{r.position}</td>
                <td>{r.max}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <fieldset className="buttons wrap plain" disabled={busy}>
        {(step === 'idle' || step === 'done') && (
          <button
            type="button"
            className="primary"
            onClick={() => void run(() => backend.invoke('calibrate.start', {}))}
          >
            {step === 'done' ? 'Recalibrate' : 'Calibrate'}
          </button>
        )}
        {step === 'move-to-middle' && (
          <button
            type="button"
            className="primary"
            onClick={() => void run(() => backend.invoke('calibrate.setMiddle', {}))}
          >
            Set middle
          </button>
        )}
        {step === 'record-ranges' && virtualArm && (
          <button type="button" onClick={() => void run(() => backend.invoke('serial.virtualSweep', {}))}>
            Sweep joints (virtual arm)
          </button>
        )}
        {step === 'record-ranges' && (
          <button
            type="button"
            className="primary"
            onClick={() => void run(() => backend.invoke('calibrate.finish', {}))}
          >
            Finish
          </button>
        )}
        {step !== 'idle' && step !== 'done' && (
          <button
            type="button"
            onClick={() => void run(() => backend.invoke('calibrate.cancel', {}).then(() => setState(null)))}
          >
            Cancel
          </button>
        )}
      </fieldset>
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
