import { useCallback, useEffect, useMemo, useState } from 'react';
import type { CommandResult, EventPayload, JobInfo } from '../../../core/api/contract';
import type { InstructionEncoder } from '../../../models/tiny-vla/config';
import { LineChart } from '../components/LineChart';
import { NumberChoiceField } from '../components/NumberChoiceField';
import { NumberField } from '../components/NumberField';
import { SelectField } from '../components/SelectField';
import { TextField } from '../components/TextField';
import { pct } from '../format';
import { useBackend } from '../stores/studio-store';
import { EvaluationTable } from './EvaluationTable';
import { RlCard } from './RlCard';

type Run = CommandResult<'runs.list'>[number];
type Point = EventPayload<'train'>;

/** A run's report: the web server serves it (with the page's token); Electron's main opens it. */
const reportHref = (run: string) =>
  `/runs/${encodeURIComponent(run)}/report?token=${encodeURIComponent(new URLSearchParams(location.search).get('token') ?? '')}`;
const num = (v: unknown, d = 3) => (typeof v === 'number' ? v.toFixed(d) : '—');
/** 0: the dataset's own frame size. */
const IMAGE_SIZES = [
  [0, 'As recorded'],
  [32, '32 px (faster training and rollouts)'],
  [64, '64 px'],
  [96, '96 px'],
] as const;
const LABEL_SIGMAS = [
  [2, 'Soft: neighbouring bins count as near misses'],
  [0, 'One-hot: a sharper policy from very few demos'],
] as const;
const INSTRUCTION_ENCODER_CHOICES: readonly (readonly [InstructionEncoder, string])[] = [
  ['mean', 'Bag of words (order ignored)'],
  ['positional', 'Word order kept (red on blue ≠ blue on red)'],
];
const CLOCK_CHOICES = [
  [0, 'Images only'],
  [1, 'Images + episode clock (tells look-alike phases apart)'],
] as const;
const stamp = () => new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');

/** SFT on recorded demos, live loss curves, and each run's success in the simulator. */
export function TrainPanel() {
  const backend = useBackend();
  const [datasets, setDatasets] = useState<CommandResult<'datasets.list'>>([]);
  const [runs, setRuns] = useState<Run[]>([]);
  const [dataset, setDataset] = useState('');
  const [name, setName] = useState(`sft-${stamp()}`);
  const [steps, setSteps] = useState(800);
  const [batchSize, setBatchSize] = useState(32);
  const [lr, setLr] = useState(0.001);
  const [imageSize, setImageSize] = useState(0);
  const [labelSigma, setLabelSigma] = useState(2);
  const [text, setText] = useState<InstructionEncoder>('mean');
  const [clock, setClock] = useState(0);
  const [episodes, setEpisodes] = useState(10);
  const [selected, setSelected] = useState<string | null>(null);
  const [points, setPoints] = useState<Point[]>([]);
  const [jobs, setJobs] = useState<Record<string, JobInfo>>({});
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const [d, r] = await Promise.all([
        backend.invoke('datasets.list', {}),
        backend.invoke('runs.list', {}),
      ]);
      setDatasets(d);
      setRuns(r);
      setDataset((x) => x || d.find((y) => !y.problem && y.episodes > 0)?.name || '');
    } catch (e) {
      setError((e as Error).message);
    }
  }, [backend]);
  useEffect(() => void refresh(), [refresh]);

  useEffect(() => {
    const offJob = backend.on('job', (j) => {
      setJobs((all) => ({ ...all, [j.id]: j }));
      if (j.state !== 'running' && j.state !== 'queued') void refresh();
    });
    const offPoint = backend.on('train', (p) => {
      if (p.kind === 'sft') setPoints((all) => (all[0]?.jobId === p.jobId ? [...all, p] : [p]));
    });
    return () => {
      offJob();
      offPoint();
    };
  }, [backend, refresh]);

  // A finished run's curve comes from its metrics file.
  const selectedKind = runs.find((r) => r.name === selected)?.kind;
  useEffect(() => {
    if (!selected || selectedKind !== 'sft') return;
    backend.invoke('runs.metrics', { run: selected }).then(
      (rows) =>
        setPoints(
          rows.map((r) => ({
            jobId: `file:${selected}`,
            run: selected,
            kind: 'sft' as const,
            step: Number(r.step),
            total: Number(r.totalSteps),
            loss: typeof r.loss === 'number' ? r.loss : null,
            valLoss: typeof r.valLoss === 'number' ? r.valLoss : null,
            tokensPerSec: null,
            etaSec: null,
            successByTask: null,
          })),
        ),
      (e: Error) => setError(e.message),
    );
  }, [backend, selected, selectedKind]);

  const start = async () => {
    try {
      setPoints([]);
      await backend.invoke('train.sft', {
        dataset,
        run: name,
        steps,
        batchSize,
        lr,
        labelSigma,
        text,
        clock: clock === 1,
        ...(imageSize ? { imageSize } : {}),
      });
      setSelected(null);
      setError(null);
      setName(`sft-${stamp()}`);
      void refresh();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const running = Object.values(jobs).filter((j) => j.state === 'running');
  const last = points[points.length - 1];
  const chart = useMemo(
    () => ({
      x: points.map((p) => p.step),
      series: [
        { label: 'loss', values: points.map((p) => p.loss) },
        { label: 'validation loss', values: points.map((p) => p.valLoss) },
      ],
    }),
    [points],
  );

  return (
    <section className="panel train">
      <h1>Train</h1>
      <div className="columns">
        <div className="card setup">
          <h2>Supervised fine-tuning (tiny-vla)</h2>
          <SelectField
            label="Dataset"
            name="Training dataset"
            value={dataset}
            choices={datasets.map(
              (d) =>
                [
                  d.name,
                  `${d.name} (${d.episodes} episodes)`,
                  d.problem !== null || d.episodes === 0,
                ] as const,
            )}
            onChange={setDataset}
          />
          <TextField label="Run name" value={name} onChange={setName} />
          <div className="grid3">
            <NumberField label="Steps" value={steps} fallback={1} onChange={setSteps} />
            <NumberField label="Batch size" value={batchSize} fallback={1} onChange={setBatchSize} />
            <NumberField label="Learning rate" value={lr} fallback={0.001} onChange={setLr} />
          </div>
          <NumberChoiceField
            label="Policy image size"
            value={imageSize}
            choices={IMAGE_SIZES}
            onChange={setImageSize}
          />
          <NumberChoiceField
            label="Action targets"
            value={labelSigma}
            choices={LABEL_SIGMAS}
            onChange={setLabelSigma}
          />
          <SelectField
            label="Instruction encoder"
            value={text}
            choices={INSTRUCTION_ENCODER_CHOICES}
            onChange={setText}
          />
          <NumberChoiceField
            label="Policy inputs"
            value={clock}
            choices={CLOCK_CHOICES}
            onChange={setClock}
          />
          <div className="buttons">
            <button type="button" className="primary" disabled={!dataset} onClick={() => void start()}>
              Start SFT
            </button>
            {running.map((j) => (
              <button
                key={j.id}
                type="button"
                onClick={() => void backend.invoke('train.cancel', { jobId: j.id })}
              >
                Stop {j.kind}
              </button>
            ))}
          </div>
          {datasets.length === 0 && (
            <p className="notice small">Record demonstrations first (Teleop &amp; Record).</p>
          )}
          {running.map((j) => (
            <p key={j.id} className="small" data-testid={`job-${j.kind}`}>
              {j.kind}: {j.message} ({(j.progress * 100).toFixed(0)}%)
            </p>
          ))}
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </div>
        <div className="live">
          <div className="card">
            <h2>
              Loss {last ? `· step ${last.step}/${last.total}` : ''}
              {last?.tokensPerSec ? ` · ${last.tokensPerSec.toFixed(0)} tokens/s` : ''}
              {last?.etaSec ? ` · ETA ${Math.ceil(last.etaSec)} s` : ''}
            </h2>
            {points.length === 0 ? (
              <p className="muted small">Start a run, or pick one below to see its curve.</p>
            ) : (
              <LineChart x={chart.x} series={chart.series} xLabel="step" testId="loss-chart" />
            )}
          </div>
          <RlCard runs={runs} onError={setError} />
          <div className="card">
            <h2>Runs</h2>
            <table className="episode-list">
              <thead>
                <tr>
                  <th>Run</th>
                  <th>Kind</th>
                  <th>State</th>
                  <th>Data</th>
                  <th>Final loss</th>
                  <th>Sim success</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr
                    key={r.name}
                    className={r.name === selected ? 'selected' : ''}
                    onClick={() => setSelected(r.name)}
                  >
                    <td>{r.name}</td>
                    <td>{r.kind}</td>
                    <td data-testid={`run-state-${r.name}`}>{r.state}</td>
                    <td>{r.dataset ?? r.from ?? ''}</td>
                    <td>{num(r.result?.finalLoss)}</td>
                    <td data-testid={`run-eval-${r.name}`}>{pct(r.evaluation?.average)}</td>
                    <td>
                      <button
                        type="button"
                        disabled={r.state !== 'done'}
                        onClick={(e) => {
                          e.stopPropagation();
                          void backend
                            .invoke('train.eval', { run: r.name, episodes })
                            .catch((err: Error) => setError(err.message));
                        }}
                      >
                        Evaluate
                      </button>
                      {r.report && (
                        <a href={reportHref(r.name)} target="_blank" rel="noreferrer" className="report-link">
                          Open report
                        </a>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <NumberField
              label="Evaluation episodes"
              value={episodes}
              fallback={1}
              onChange={setEpisodes}
              className="field inline small"
            />
            {runs.map((r) =>
              r.name === selected && r.evaluation ? (
                <EvaluationTable key={r.name} evaluation={r.evaluation} />
              ) : null,
            )}
          </div>
        </div>
      </div>
    </section>
  );
}
