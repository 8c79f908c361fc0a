/** A labelled number input; an empty or invalid entry falls back to `fallback`. */
export function NumberField(props: {
  label: string;
  value: number;
  fallback: number;
  onChange: (v: number) => void;
  className?: string;
}) {
  return (
    <label className={props.className ?? 'field'}>
      {props.label}
      <input
        type="text"
        inputMode="decimal"
        aria-label={props.label}
        value={props.value}
        onChange={(e) => props.onChange(Number(e.target.value) || props.fallback)}
      />
    </label>
  );
}
