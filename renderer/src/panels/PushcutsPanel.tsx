import { useEffect, useMemo, useState } from 'react';
import type { CommandResult } from '../../../core/api/contract';
import { EpisodeVideo } from '../components/EpisodeVideo';
import { LineChart } from '../components/LineChart';
import { SelectField } from '../components/SelectField';
import { useBackend } from '../stores/studio-store';

type Report = CommandResult<'pushcuts.analyze'>;

/** Behaviours that succeed and that no demonstration shows: found, named, and shown over RL steps. */
export function PushcutsPanel() {
  const backend = useBackend();
  const [datasets, setDatasets] = useState<CommandResult<'datasets.list'>>([]);
  const [rollouts, setRollouts] = useState('');
  const [demos, setDemos] = useState('');
  const [report, setReport] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    backend.invoke('datasets.list', {}).then(
      (d) => {
        setDatasets(d);
        setRollouts((x) => x || d.find((y) => /rollout|rl/.test(y.name))?.name || d[0]?.name || '');
      },
      (e: Error) => setError(e.message),
    );
  }, [backend]);

  const analyze = async () => {
    setBusy(true);
    try {
      setReport(await backend.invoke('pushcuts.analyze', { rollouts, ...(demos ? { demos } : {}) }));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const shares = useMemo(() => {
    if (!report) return null;
    const steps = report.steps.map((s) => s.rlStep);
    return {
      x: steps,
      series: [
        {
          label: 'like the demos',
          values: report.steps.map((s) => (s.successes ? s.demoLike / s.successes : null)),
        },
        ...report.strategies.map((st) => ({
          label: st.name,
          values: steps.map((step) => st.sharesByStep.find((p) => p.rlStep === step)?.share ?? 0),
        })),
      ],
    };
  }, [report]);

  return (
    <section className="panel pushcuts">
      <h1>Pushcuts</h1>
      <div className="toolbar">
        <SelectField
          label="Rollouts"
          name="Rollouts dataset"
          inline
          value={rollouts}
          choices={datasets.map((d) => [d.name, d.name] as const)}
          onChange={setRollouts}
        />
        <SelectField
          label="Demonstrations"
          name="Demonstrations dataset"
          inline
          value={demos}
          choices={[['', 'in the same dataset'], ...datasets.map((d) => [d.name, d.name] as const)]}
          onChange={setDemos}
        />
        <button type="button" className="primary" disabled={!rollouts || busy} onClick={() => void analyze()}>
          {busy ? 'Analysing…' : 'Find pushcuts'}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <>
          <p className="muted" data-testid="pushcut-summary">
            {report.observed} rollouts, {report.successes} successes, {report.novelSuccesses} unlike every one
            of {report.demos} demonstrations (threshold {report.threshold.toFixed(3)}, calibrated on the
            demos). {report.message}
          </p>
          {shares && shares.x.length > 0 && (
            <div className="card">
              <h2>Share of successes per RL step</h2>
              <LineChart x={shares.x} series={shares.series} xLabel="RL step" height={180} />
            </div>
          )}
          {report.strategies.length === 0 && <p className="notice">No novel strategy yet.</p>}
          {report.strategies.map((s) => (
            <div className="card strategy" key={s.slug} data-testid={`strategy-${s.slug}`}>
              <h2>
                {s.isPushcut ? (
                  <span className="badge">PUSHCUT</span>
                ) : (
                  <span className="badge muted">novel</span>
                )}{' '}
                {s.name}
              </h2>
              <p className="small">
                {s.description} · {s.successes} successes, success rate {(s.successRate * 100).toFixed(0)}% ·
                first seen at RL step {s.firstSeenStep}
                {s.pushcutSinceStep !== undefined ? ` · pushcut since step ${s.pushcutSinceStep}` : ''}
              </p>
              <div className="cameras">
                {s.bestEpisodes.slice(0, 2).map((id) => (
                  <div key={id} className="pair">
                    <EpisodeVideo id={id} caption={`${id} (this strategy)`} />
                    {report.nearestDemo[id] && (
                      <EpisodeVideo
                        id={report.nearestDemo[id]!}
                        caption={`${report.nearestDemo[id]} (nearest demo)`}
                      />
                    )}
                  </div>
                ))}
              </div>
            </div>
          ))}
        </>
      )}
      {!report && !error && (
        <p className="muted">
          Pick the dataset with RL rollouts (and the demonstrations, if they are elsewhere), then Find
          pushcuts. Episodes get a <code>pushcut:&lt;name&gt;</code> tag you can filter on in Episodes.
        </p>
      )}
    </section>
  );
}
