/** Human names for strategies, from how their event sentence differs from the demonstrations'. */
import type { BehaviourSignature, EventSymbol } from './types';

const KEY: EventSymbol[] = ['grasp', 'push', 'sweep', 'knock'];

const count = (s: readonly EventSymbol[], x: EventSymbol) => s.filter((y) => y === x).length;

/** The most common sentence among the demonstrations (ties: the first seen). */
export function modalSentence(sentences: readonly (readonly EventSymbol[])[]): EventSymbol[] {
  const counts = new Map<string, { n: number; s: readonly EventSymbol[] }>();
  for (const s of sentences) {
    const k = s.join(' ');
    const c = counts.get(k);
    if (c) c.n++;
    else counts.set(k, { n: 1, s });
  }
  let best: { n: number; s: readonly EventSymbol[] } | undefined;
  for (const c of counts.values()) if (!best || c.n > best.n) best = c;
  return [...(best?.s ?? [])];
}

/**
 * e.g. "push without grasp", "grasp skipped lift", "push then grasp", "regrasp",
 * "new path: grasp → lift → carry → release" (same sentence as the demos, different path).
 */
export function strategyName(symbols: readonly EventSymbol[], demo: readonly EventSymbol[]): string {
  const added = KEY.filter((k) => symbols.includes(k) && !demo.includes(k));
  const missing = KEY.filter((k) => demo.includes(k) && !symbols.includes(k));
  const parts: string[] = [];
  if (added.length > 0 && missing.length > 0) {
    parts.push(`${added.join(' + ')} without ${missing.join(' or ')}`);
  } else if (missing.length > 0) {
    parts.push(`no ${missing.join(' or ')}`);
  } else if (added.length > 0) {
    const first = (k: EventSymbol) => symbols.indexOf(k);
    for (const a of added) {
      const anchor = KEY.find((k) => demo.includes(k) && symbols.includes(k));
      parts.push(anchor ? (first(a) < first(anchor) ? `${a} then ${anchor}` : `${anchor} then ${a}`) : a);
    }
  }
  if (symbols.includes('grasp')) {
    if (count(symbols, 'grasp') > Math.max(1, count(demo, 'grasp'))) parts.push('regrasp');
    if (demo.includes('lift') && !symbols.includes('lift')) parts.push('grasp skipped lift');
    if (demo.includes('carry') && !symbols.includes('carry')) parts.push('grasp skipped carry');
    if (demo.includes('release') && !symbols.includes('release')) parts.push('no release');
  }
  if (parts.length > 0) return parts.join(', ');
  const sentence = symbols.length > 0 ? symbols.join(' → ') : 'no gripper or object events';
  return symbols.join(' ') === demo.join(' ') ? `new path: ${sentence}` : sentence;
}

export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/→/g, '-')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'strategy'
  );
}

const VERB: Record<string, string> = {
  carried: 'carried',
  pushed: 'pushed',
  knocked: 'moved without gripper contact',
};

/**
 * One line saying what a strategy does to the objects, from a representative signature:
 * e.g. "red_cube pushed 19 cm (touched, never held)" or, from joints only,
 * "the empty hand swept low over the table; no grasp".
 */
export function describeSignature(sig: BehaviourSignature): string {
  const moved = Object.entries(sig.objects)
    .filter(([, m]) => m.mode !== 'still')
    .map(([name, m]) => {
      const cm = Math.round(m[m.mode as 'carried' | 'pushed' | 'knocked'] * 100);
      const how = m.mode === 'pushed' ? ' (touched, never held)' : '';
      return `${name} ${VERB[m.mode]} ${cm} cm${how}`;
    });
  if (moved.length > 0) return moved.join('; ');
  const parts: string[] = [];
  if (sig.symbols.includes('sweep')) parts.push('the empty hand swept low over the table');
  if (sig.symbols.includes('grasp')) {
    const lifted = sig.symbols.includes('lift') ? 'lifted' : 'not lifted';
    parts.push(`an object was grasped (${lifted}${sig.symbols.includes('carry') ? ', carried' : ''})`);
  } else if (parts.length > 0) parts.push('no grasp');
  return parts.length > 0 ? parts.join('; ') : `events: ${sig.symbols.join(' → ') || 'none'}`;
}
