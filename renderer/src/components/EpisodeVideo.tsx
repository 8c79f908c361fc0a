import { useEffect, useState } from 'react';
import { useBackend } from '../stores/studio-store';

/** One camera's video of one episode (looping), by `<dataset>#<index>` id. */
export function EpisodeVideo({
  id,
  camera = 'front',
  caption,
}: {
  id: string;
  camera?: string;
  caption: string;
}) {
  const backend = useBackend();
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const at = id.lastIndexOf('#');
    const dataset = id.slice(0, at);
    const index = Number(id.slice(at + 1));
    let made: string | null = null;
    backend.invoke('episodes.video', { dataset, index, camera }).then(
      (v) => {
        const bin = atob(v.base64);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        made = URL.createObjectURL(new Blob([bytes], { type: v.mime }));
        setUrl(made);
      },
      (e: Error) => setError(e.message),
    );
    return () => {
      if (made) URL.revokeObjectURL(made);
    };
  }, [backend, id, camera]);
  return (
    <figure className="camera">
      {url ? (
        <video src={url} autoPlay loop muted playsInline />
      ) : (
        <div className="video-placeholder">{error ?? '…'}</div>
      )}
      <figcaption>{caption}</figcaption>
    </figure>
  );
}
