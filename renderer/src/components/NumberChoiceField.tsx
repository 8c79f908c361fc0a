import { SelectField } from './SelectField';

/** A labelled select over numeric values, each with the text shown for it. */
export function NumberChoiceField(props: {
  label: string;
  value: number;
  choices: readonly (readonly [value: number, text: string])[];
  onChange: (v: number) => void;
}) {
  return (
    <SelectField
      label={props.label}
      value={String(props.value)}
      choices={props.choices.map(([v, text]) => [String(v), text] as const)}
      onChange={(v) => props.onChange(Number(v))}
    />
  );
}
