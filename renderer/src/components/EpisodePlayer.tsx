import { useCallback, useEffect, useRef, useState } from 'react';
import type { CommandResult } from '../../../core/api/contract';
import { useBackend } from '../stores/studio-store';
import { EpisodePlot } from './EpisodePlot';

type Episode = CommandResult<'episodes.get'>;
type Video = { url: string; from: number };

function blobUrl(base64: string, mime: string): string {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type: mime }));
}

/** One episode: every camera's video in sync with the joint plot and a frame scrubber. */
export function EpisodePlayer(props: {
  dataset: string;
  index: number;
  onChanged(): void;
  onDeleted(): void;
}) {
  const backend = useBackend();
  const { dataset, index } = props;
  const [episode, setEpisode] = useState<Episode | null>(null);
  const [videos, setVideos] = useState<Record<string, Video>>({});
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [note, setNote] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const videoEls = useRef<Record<string, HTMLVideoElement | null>>({});

  useEffect(() => {
    let cancelled = false;
    const urls: string[] = [];
    (async () => {
      const ep = await backend.invoke('episodes.get', { dataset, index });
      if (cancelled) return;
      setEpisode(ep);
      setNote(ep.summary.note ?? '');
      const vids: Record<string, Video> = {};
      for (const cam of ep.cameras) {
        const v = await backend.invoke('episodes.video', { dataset, index, camera: cam });
        const url = blobUrl(v.base64, v.mime);
        urls.push(url);
        vids[cam] = { url, from: v.from };
      }
      if (!cancelled) setVideos(vids);
    })().catch((e: Error) => setError(e.message));
    return () => {
      cancelled = true;
      for (const u of urls) URL.revokeObjectURL(u);
    };
  }, [backend, dataset, index]);

  const length = episode?.timestamps.length ?? 0;
  const fps = episode?.fps ?? 30;

  const seek = useCallback(
    (f: number) => {
      const clamped = Math.max(0, Math.min(length - 1, f));
      setFrame(clamped);
      for (const [cam, el] of Object.entries(videoEls.current)) {
        const v = videos[cam];
        if (el && v) el.currentTime = v.from + clamped / fps + 0.5 / fps;
      }
    },
    [fps, length, videos],
  );

  // While playing, the first camera's clock drives the frame cursor and the others follow it.
  useEffect(() => {
    if (!playing) return;
    const els = Object.values(videoEls.current).filter((e): e is HTMLVideoElement => !!e);
    for (const el of els) void el.play();
    const first = Object.keys(videoEls.current)[0];
    const timer = window.setInterval(() => {
      const el = first ? videoEls.current[first] : null;
      const from = first ? (videos[first]?.from ?? 0) : 0;
      if (!el) return;
      const f = Math.floor((el.currentTime - from) * fps);
      if (f >= length - 1 || el.ended) {
        setPlaying(false);
        setFrame(length - 1);
        return;
      }
      setFrame(Math.max(0, f));
    }, 1000 / 30);
    return () => {
      window.clearInterval(timer);
      for (const el of els) el.pause();
    };
  }, [playing, fps, length, videos]);

  // K play/pause, J/L one frame back/forward.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (
        (e.target as HTMLElement | null)?.tagName === 'INPUT' ||
        (e.target as HTMLElement | null)?.tagName === 'TEXTAREA'
      )
        return;
      if (e.key === 'k') setPlaying((p) => !p);
      else if (e.key === 'j') seek(frame - 1);
      else if (e.key === 'l') seek(frame + 1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [frame, seek]);

  const label = async (success: boolean | null) => {
    try {
      await backend.invoke('episodes.label', { dataset, index, success });
      setEpisode((ep) => (ep ? { ...ep, summary: { ...ep.summary, success } } : ep));
      props.onChanged();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!episode)
    return <div className="card player">{error ? <p className="error">{error}</p> : 'Loading…'}</div>;
  const s = episode.summary;
  return (
    <div className="card player" data-testid="episode-player">
      <h2>
        Episode {s.index} · {s.tasks.join(', ')} · {s.length} frames · {s.source ?? 'demo'}
        {s.policyVersion ? ` · policy ${s.policyVersion}` : ''}
      </h2>
      <div className="cameras">
        {episode.cameras.map((cam) => (
          <figure className="camera" key={cam}>
            <video
              ref={(el) => {
                videoEls.current[cam] = el;
              }}
              data-testid={`video-${cam}`}
              src={videos[cam]?.url}
              muted
              playsInline
              preload="auto"
              onLoadedData={() => seek(frame)}
            />
            <figcaption>{cam}</figcaption>
          </figure>
        ))}
      </div>
      <div className="transport">
        <button type="button" onClick={() => setPlaying((p) => !p)} data-testid="play" title="K">
          {playing ? 'Pause' : 'Play'}
        </button>
        <input
          type="range"
          aria-label="Frame"
          data-testid="scrubber"
          min={0}
          max={Math.max(0, length - 1)}
          value={frame}
          onChange={(e) => seek(Number(e.target.value))}
        />
        <span className="small" data-testid="frame-index">
          {frame + 1}/{length} · {(frame / fps).toFixed(2)} s
        </span>
      </div>
      <EpisodePlot
        timestamps={episode.timestamps}
        state={episode.state}
        action={episode.action}
        joints={episode.joints}
        frame={frame}
        onSeek={seek}
      />
      <div className="label-row">
        <span>Outcome:</span>
        {([true, false, null] as const).map((v) => (
          <button
            type="button"
            key={String(v)}
            className={s.success === v ? 'chip active' : 'chip'}
            onClick={() => void label(v)}
            data-testid={`label-${String(v)}`}
          >
            {v === null ? 'unlabelled' : v ? 'success' : 'failure'}
          </button>
        ))}
      </div>
      <label className="field">
        Note
        <textarea aria-label="Note" value={note} onChange={(e) => setNote(e.target.value)} rows={2} />
      </label>
      <div className="buttons">
        <button
          type="button"
          onClick={() =>
            void backend
              .invoke('episodes.label', { dataset, index, note })
              .then(props.onChanged, (e: Error) => setError(e.message))
          }
        >
          Save note
        </button>
        {confirmDelete ? (
          <>
            <button
              type="button"
              className="danger"
              onClick={() =>
                void backend
                  .invoke('episodes.delete', { dataset, index })
                  .then(props.onDeleted, (e: Error) => setError(e.message))
              }
            >
              Delete episode {index} for good
            </button>
            <button type="button" onClick={() => setConfirmDelete(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirmDelete(true)}>
            Delete…
          </button>
        )}
      </div>
      {error && <p className="error">{error}</p>}
      <p className="muted small">Keys: K play/pause · J/L previous/next frame · ↑/↓ previous/next episode</p>
    </div>
  );
}
