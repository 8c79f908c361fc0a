import type { CSSProperties } from 'react';

/** One choice: the value, the text shown for it, and whether it is disabled. */
export type Choice<T extends string = string> = readonly [value: T, text: string, disabled?: boolean];

/** A labelled drop-down; `name` is its accessible name when the visible label says more. */
export function SelectField<T extends string>(props: {
  label: string;
  name?: string;
  value: T;
  choices: readonly Choice<T>[];
  onChange: (v: T) => void;
  inline?: boolean;
  style?: CSSProperties;
}) {
  return (
    <label className={props.inline ? 'field inline' : 'field'} style={props.style}>
      {props.label}
      <select
        aria-label={props.name ?? props.label}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {props.choices.map(([v, text, disabled]) => (
          <option key={v} value={v} disabled={disabled}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
