import { useCallback, useEffect, useState } from 'react';
import type { CommandResult } from '../../../core/api/contract';
import { EpisodePlayer } from '../components/EpisodePlayer';
import { SelectField } from '../components/SelectField';
import { useBackend } from '../stores/studio-store';

type Summary = CommandResult<'episodes.list'>[number];
type Filter = { source: string; success: string; task: string; tag: string };

const successText = (s: boolean | null) => (s === null ? '—' : s ? 'success' : 'failure');

/** Browse a dataset's episodes, filter them, play one beside its plots, relabel or delete it. */
export function EpisodesPanel() {
  const backend = useBackend();
  const [datasets, setDatasets] = useState<CommandResult<'datasets.list'>>([]);
  const [dataset, setDataset] = useState('');
  const [filter, setFilter] = useState<Filter>({ source: '', success: '', task: '', tag: '' });
  const [episodes, setEpisodes] = useState<Summary[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    backend
      .invoke('datasets.list', {})
      .then((list) => {
        setDatasets(list);
        setDataset((d) => d || list.find((x) => !x.problem)?.name || '');
      })
      .catch((e: Error) => setError(e.message));
  }, [backend]);

  const reload = useCallback(async () => {
    if (!dataset) return;
    try {
      const f: Record<string, unknown> = {};
      if (filter.source) f.source = filter.source;
      if (filter.task) f.task = filter.task;
      if (filter.tag) f.tag = filter.tag;
      if (filter.success) f.success = filter.success === 'null' ? null : filter.success === 'true';
      setEpisodes(await backend.invoke('episodes.list', { dataset, filter: f }));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [backend, dataset, filter]);
  useEffect(() => void reload(), [reload]);

  // ↑/↓ walk the list.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement | null)?.tagName === 'INPUT' || episodes.length === 0) return;
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      e.preventDefault();
      const at = episodes.findIndex((x) => x.index === selected);
      const next = e.key === 'ArrowDown' ? Math.min(episodes.length - 1, at + 1) : Math.max(0, at - 1);
      setSelected(episodes[next]!.index);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [episodes, selected]);

  const tasks = [...new Set(episodes.flatMap((e) => e.tasks))];
  return (
    <section className="panel episodes">
      <h1>Episodes</h1>
      <div className="toolbar">
        <SelectField
          label="Dataset"
          inline
          value={dataset}
          choices={datasets.map(
            (d) =>
              [
                d.name,
                `${d.name} (${d.episodes})${d.problem ? ' — unreadable' : ''}`,
                d.problem !== null,
              ] as const,
          )}
          onChange={setDataset}
        />
        <FilterSelect
          label="Source"
          value={filter.source}
          onChange={(source) => setFilter({ ...filter, source })}
          options={[
            ['demo', 'demo'],
            ['rollout', 'rollout'],
            ['intervention', 'intervention'],
          ]}
        />
        <FilterSelect
          label="Outcome"
          value={filter.success}
          onChange={(success) => setFilter({ ...filter, success })}
          options={[
            ['true', 'success'],
            ['false', 'failure'],
            ['null', 'unlabelled'],
          ]}
        />
        <FilterSelect
          label="Task"
          value={filter.task}
          onChange={(t) => setFilter({ ...filter, task: t })}
          options={tasks.map((t) => [t, t])}
        />
        <label className="field inline">
          Tag
          <input
            type="text"
            aria-label="Tag filter"
            placeholder="e.g. pushcut:push-without-grasp"
            value={filter.tag}
            onChange={(e) => setFilter({ ...filter, tag: e.target.value.trim() })}
          />
        </label>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {datasets.length === 0 && (
        <p className="notice">No datasets yet: record some in Teleop &amp; Record.</p>
      )}
      <div className="episodes-layout">
        <table className="episode-list">
          <thead>
            <tr>
              <th>#</th>
              <th>Task</th>
              <th>Frames</th>
              <th>Source</th>
              <th>Outcome</th>
              <th>Tags</th>
            </tr>
          </thead>
          <tbody>
            {episodes.map((e) => (
              <tr
                key={e.index}
                data-testid={`episode-row-${e.index}`}
                className={e.index === selected ? 'selected' : ''}
                onClick={() => setSelected(e.index)}
              >
                <td>{e.index}</td>
                <td>{e.tasks.join(', ')}</td>
                <td>{e.length}</td>
                <td>{e.source ?? 'demo'}</td>
                <td data-testid={`episode-outcome-${e.index}`}>{successText(e.success)}</td>
                <td className="small">{e.tags.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {selected !== null && dataset && (
          <EpisodePlayer
            key={`${dataset}/${selected}`}
            dataset={dataset}
            index={selected}
            onChanged={() => void reload()}
            onDeleted={() => {
              setSelected(null);
              void reload();
            }}
          />
        )}
      </div>
    </section>
  );
}

/** One episode filter: "all" (empty value) or one of `options` as [value, label]. */
function FilterSelect(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: [string, string][];
}) {
  return (
    <SelectField
      label={props.label}
      name={`${props.label} filter`}
      inline
      value={props.value}
      choices={[['', 'all'], ...props.options]}
      onChange={props.onChange}
    />
  );
}
