import { useEffect, useRef, useState } from 'react';
import type { RobotDescription } from '../../../core/api/contract';
import type { StudioActions } from '../stores/actions';
import { useStudio } from '../stores/studio-store';

/** One slider per joint: the slider sets the goal, the number beside it is the measured position. */
export function JointSliders({ robot, actions }: { robot: RobotDescription; actions: StudioActions }) {
  const state = useStudio((s) => s.state);
  const [goal, setGoal] = useState<number[] | null>(null);
  const pending = useRef<number[] | null>(null);
  const timer = useRef<number | null>(null);

  useEffect(() => {
    if (goal === null && state) setGoal([...state]);
  }, [goal, state]);

  const send = (next: number[]) => {
    setGoal(next);
    pending.current = next;
    if (timer.current !== null) return;
    // At most 30 commands a second: the control loop interpolates between them.
    timer.current = window.setTimeout(() => {
      timer.current = null;
      if (pending.current) void actions.move(pending.current);
    }, 33);
  };

  return (
    <div className="sliders">
      {robot.joints.map((j, i) => {
        const value = goal?.[i] ?? state?.[i] ?? 0;
        const measured = state?.[i];
        return (
          <label key={j.name} className="slider-row">
            <span className="joint-name">{j.name}</span>
            <input
              type="range"
              aria-label={`${j.name} target`}
              data-testid={`slider-${j.name}`}
              min={j.min}
              max={j.max}
              step={0.5}
              value={value}
              onChange={(e) => {
                const next = [...(goal ?? state ?? [])];
                next[i] = Number(e.target.value);
                send(next);
              }}
            />
            <span className="joint-value" data-testid={`joint-${j.name}`}>
              {measured === undefined ? '—' : measured.toFixed(1)}
            </span>
            <span className="muted small">{j.unit}</span>
          </label>
        );
      })}
    </div>
  );
}
