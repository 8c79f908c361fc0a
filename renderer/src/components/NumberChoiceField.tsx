/** A labelled select over numeric values, each with the text shown for it. */
export function NumberChoiceField(props: {
  label: string;
  value: number;
  choices: readonly (readonly [value: number, text: string])[];
  onChange: (v: number) => void;
}) {
  return (
    <label className="field">
      {props.label}
      <select
        aria-label={props.label}
        value={props.value}
        onChange={(e) => props.onChange(Number(e.target.value))}
      >
        {props.choices.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
