/** Test helper: numeric inverse kinematics on the pushcut FK (damped least squares, 4 joints). */
import { so101EndEffector } from '../../../core/rl/pushcut/so101-fk';
import type { Vec3 } from '../../../core/rl/pushcut/types';

const LIMITS = [110, 100, 96, 95];

/** World (x forward, y left, z up from the table) to the URDF base frame (arm reaches towards -y). */
export function worldToUrdf(p: Vec3): Vec3 {
  return [0.0207909 + p[1], -0.0230745 - p[0], p[2]];
}

export function solveIk(target: Vec3, start: readonly number[]): number[] {
  const q = [...start.slice(0, 4)];
  const err = (x: number[]) => {
    const e = so101EndEffector([...x, 0]);
    return [target[0] - e[0], target[1] - e[1], target[2] - e[2]];
  };
  for (let it = 0; it < 60; it++) {
    const e = err(q);
    if (Math.hypot(e[0] ?? 0, e[1] ?? 0, e[2] ?? 0) < 1e-5) break;
    const J: number[][] = [[], [], []];
    for (let j = 0; j < 4; j++) {
      const dq = [...q];
      dq[j] = (dq[j] ?? 0) + 0.01;
      const e2 = err(dq);
      for (let r = 0; r < 3; r++) (J[r] as number[])[j] = ((e[r] ?? 0) - (e2[r] ?? 0)) / 0.01;
    }
    // dq = J^T (J J^T + l^2 I)^-1 e
    const l2 = 1e-6;
    const A = [0, 1, 2].map((r) =>
      [0, 1, 2].map(
        (c) =>
          (J[r] as number[]).reduce((s, v, k) => s + v * ((J[c] as number[])[k] ?? 0), 0) +
          (r === c ? l2 : 0),
      ),
    );
    const y = solve3(A, e);
    for (let j = 0; j < 4; j++) {
      const step = [0, 1, 2].reduce((s, r) => s + ((J[r] as number[])[j] ?? 0) * (y[r] ?? 0), 0);
      const lim = LIMITS[j] ?? 90;
      q[j] = Math.max(-lim, Math.min(lim, (q[j] ?? 0) + Math.max(-10, Math.min(10, step))));
    }
  }
  return [...q, 0];
}

function solve3(A: number[][], b: number[]): number[] {
  const m = A.map((row, i) => [...row, b[i] ?? 0]);
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(m[r]?.[c] ?? 0) > Math.abs(m[p]?.[c] ?? 0)) p = r;
    [m[c], m[p]] = [m[p] as number[], m[c] as number[]];
    const piv = (m[c] as number[])[c] ?? 1;
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = ((m[r] as number[])[c] ?? 0) / piv;
      for (let k = c; k < 4; k++)
        (m[r] as number[])[k] = ((m[r] as number[])[k] ?? 0) - f * ((m[c] as number[])[k] ?? 0);
    }
  }
  return [0, 1, 2].map((r) => ((m[r] as number[])[3] ?? 0) / ((m[r] as number[])[r] ?? 1));
}
