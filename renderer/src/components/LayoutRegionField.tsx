import type { CSSProperties } from 'react';

/** LIBERO's object regions are 2-5 cm boxes. */
export const LIBERO_SPREAD = 0.025;

/** Where the simulator places objects: anywhere in the workspace, or LIBERO-style around one scene. */
export function LayoutRegionField(props: {
  label: string;
  value: number | undefined;
  onChange: (spread: number | undefined) => void;
  style?: CSSProperties;
}) {
  return (
    <label className="field" style={props.style}>
      {props.label}
      <select
        aria-label={props.label}
        value={props.value === undefined ? 'anywhere' : 'region'}
        onChange={(e) => props.onChange(e.target.value === 'region' ? LIBERO_SPREAD : undefined)}
      >
        <option value="anywhere">Objects anywhere in the workspace</option>
        <option value="region">Objects within ±2.5 cm of one scene (LIBERO-style, easier)</option>
      </select>
    </label>
  );
}
