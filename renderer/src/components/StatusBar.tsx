import type { StudioActions } from '../stores/actions';
import { useStudio } from '../stores/studio-store';

export function StatusBar({ actions }: { actions: StudioActions }) {
  const presence = useStudio((s) => s.presence);
  const connection = useStudio((s) => s.connection);
  const metrics = useStudio((s) => s.metrics);
  const connected = connection.state === 'connected';
  return (
    <footer className="status-bar">
      <span className={`dot ${presence}`} title={`Studio backend: ${presence}`} />
      <span data-testid="connection-state">
        {connection.state}
        {connection.backend ? ` · ${connection.backend}` : ''}
      </span>
      <span className="muted">{connection.message}</span>
      <span className="spacer" />
      {connected && (
        <>
          <span data-testid="fps">{metrics.fps.toFixed(0)} fps</span>
          <span>{metrics.latencyMs.toFixed(1)} ms</span>
          {metrics.topics.map((t) => (
            <span key={t.topic} className="muted" title={t.topic}>
              {t.topic.split('/').filter(Boolean).slice(-2).join('/')} {t.ratePerSec.toFixed(0)} Hz
              {t.latencyMs === null ? '' : ` · ${t.latencyMs.toFixed(0)} ms`}
            </span>
          ))}
          {metrics.estop ? (
            <button type="button" className="release" onClick={() => void actions.release()}>
              Release e-stop
            </button>
          ) : (
            <button type="button" className="estop" onClick={() => void actions.estop()} title="Space">
              E-STOP (Space)
            </button>
          )}
        </>
      )}
    </footer>
  );
}
