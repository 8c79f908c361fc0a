import { useCallback, useState } from 'react';
import type { BackendInfo } from '../../../core/api/contract';
import { CameraView } from '../components/CameraView';
import { JointPlot } from '../components/JointPlot';
import { JointSliders } from '../components/JointSliders';
import { LayoutRegionField } from '../components/LayoutRegionField';
import { NumberChoiceField } from '../components/NumberChoiceField';
import { SelectField } from '../components/SelectField';
import type { StudioActions } from '../stores/actions';
import { useStudio } from '../stores/studio-store';
import { CalibrationWizard } from './CalibrationWizard';
import { type RosConnect, RosForm } from './RosForm';
import { type SerialConnect, SerialForm } from './SerialForm';

export function ConnectPanel({ actions }: { actions: StudioActions }) {
  const backends = useStudio((s) => s.backends);
  const tasks = useStudio((s) => s.tasks);
  const connection = useStudio((s) => s.connection);
  const robot = useStudio((s) => s.robot);
  const images = useStudio((s) => s.images);
  const lastError = useStudio((s) => s.lastError);
  const [backend, setBackend] = useState<BackendInfo['id']>('sim');
  const [task, setTask] = useState('');
  const [cameraSize, setCameraSize] = useState(64);
  const [layoutSpread, setLayoutSpread] = useState<number | undefined>(undefined);
  const [ros, setRos] = useState<{ options: RosConnect | null; problem: string | null }>({
    options: null,
    problem: null,
  });
  const onRosChange = useCallback(
    (options: RosConnect | null, problem: string | null) => setRos({ options, problem }),
    [],
  );
  const [serial, setSerial] = useState<SerialConnect | null>(null);
  const busy = connection.state === 'connecting';
  const connected = connection.state === 'connected' && robot !== null;

  const connect = () => {
    if (backend === 'ros') {
      if (ros.options) void actions.connect({ backend: 'ros', options: ros.options });
      return;
    }
    if (backend === 'feetech' || backend === 'dynamixel') {
      if (serial?.port) void actions.connect({ backend, options: serial });
      return;
    }
    if (backend !== 'sim') return;
    const chosen = task || tasks[0]?.id;
    void actions.connect({
      backend: 'sim',
      options: {
        ...(chosen ? { task: chosen } : {}),
        cameraSize,
        ...(layoutSpread === undefined ? {} : { layoutSpread }),
      },
    });
  };

  return (
    <section className="panel connect">
      <h1>Connect</h1>
      <div className="columns">
        <div className="card setup">
          <h2>Robot</h2>
          <div className="backend-list" role="radiogroup" aria-label="Robot backend">
            {backends.map((b) => (
              <label key={b.id} className={`backend ${b.available ? '' : 'unavailable'}`}>
                <input
                  type="radio"
                  name="backend"
                  value={b.id}
                  checked={backend === b.id}
                  disabled={!b.available}
                  onChange={() => setBackend(b.id)}
                />
                <span className="backend-label">{b.label}</span>
                <span className="muted small backend-detail">{b.detail}</span>
              </label>
            ))}
            {backends.length === 0 && <p className="muted">Looking for robot backends…</p>}
          </div>
          {backend === 'sim' && (
            <>
              <SelectField
                label="Task"
                value={task}
                choices={tasks.map((t) => [t.id, t.instruction] as const)}
                onChange={setTask}
              />
              <NumberChoiceField
                label="Camera size"
                value={cameraSize}
                choices={[64, 96, 128, 160].map((s) => [s, `${s} × ${s}`] as const)}
                onChange={setCameraSize}
              />
              <LayoutRegionField label="Object layouts" value={layoutSpread} onChange={setLayoutSpread} />
            </>
          )}
          {backend === 'ros' && <RosForm onChange={onRosChange} />}
          {(backend === 'feetech' || backend === 'dynamixel') && <SerialForm onChange={setSerial} />}
          {backend === 'ros' && ros.problem && <p className="error small">{ros.problem}</p>}
          <div className="buttons">
            <button type="button" className="primary" disabled={busy} onClick={connect}>
              {connected ? 'Reconnect' : busy ? 'Connecting…' : 'Connect'}
            </button>
            <button type="button" disabled={!connected} onClick={() => void actions.disconnect()}>
              Disconnect
            </button>
          </div>
          {lastError && (
            <p className="error" role="alert">
              {lastError}
            </p>
          )}
        </div>
        {connected && robot && (
          <div className="live">
            {(robot.backend === 'feetech' || robot.backend === 'dynamixel') && (
              <CalibrationWizard virtualArm={serial?.id === 'pushcut_virtual'} />
            )}
            <div className="cameras">
              {robot.cameras.map((c) => (
                <CameraView key={c.name} name={c.name} image={images[c.name]} />
              ))}
            </div>
            {robot.calibrated && (
              <div className="card">
                <h2>Joints</h2>
                <JointSliders robot={robot} actions={actions} />
              </div>
            )}
            <div className="card">
              <h2>Joint state</h2>
              <JointPlot joints={robot.joints.map((j) => j.name)} />
            </div>
          </div>
        )}
      </div>
    </section>
  );
}
