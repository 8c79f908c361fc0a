import type { CSSProperties } from 'react';

/** A labelled text input; `name` is its accessible name when the visible label says more. */
export function TextField(props: {
  label: string;
  name?: string;
  value: string;
  onChange: (v: string) => void;
  style?: CSSProperties;
}) {
  return (
    <label className="field" style={props.style}>
      {props.label}
      <input
        type="text"
        aria-label={props.name ?? props.label}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}
