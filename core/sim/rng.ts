export { mulberry32 } from '../util/rng';

export type Rng = () => number;

export const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();
