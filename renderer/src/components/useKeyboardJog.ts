import { useEffect } from 'react';
import type { StudioActions } from '../stores/actions';
import { useStudioStore } from '../stores/studio-store';

/** Key pairs that move each joint up/down, in joint order (shoulder_pan … gripper). */
const KEYS = ['qa', 'ws', 'ed', 'rf', 'tg', 'yh'];
const STEP = 4;

/** Keyboard teleop in joint space: each press nudges one joint's goal; the safety layer bounds it. */
export function useKeyboardJog(actions: StudioActions, enabled: boolean): void {
  const store = useStudioStore();
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement | null)?.tagName === 'INPUT' || e.ctrlKey || e.metaKey) return;
      const key = e.key.toLowerCase();
      const joint = KEYS.findIndex((k) => k.includes(key));
      const state = store.getState().state;
      if (joint < 0 || !state) return;
      const goal = [...state];
      goal[joint] = goal[joint]! + (KEYS[joint]![0] === key ? STEP : -STEP);
      void actions.move(goal);
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions, enabled, store]);
}
