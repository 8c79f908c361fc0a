import { useEffect, useRef } from 'react';
import { useStudio } from '../stores/studio-store';

const COLORS = ['#e4572e', '#f3a712', '#b084f5', '#669bbc', '#a8c686', '#7d5ba6'];

/** The last few seconds of joint positions, each joint normalised to its own range of motion. */
export function JointPlot({ joints }: { joints: string[] }) {
  const history = useStudio((s) => s.history);
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx || history.length < 2) return;
    const w = c.width;
    const h = c.height;
    ctx.clearRect(0, 0, w, h);
    const t0 = history[0]![0]!;
    const t1 = history[history.length - 1]![0]!;
    const span = Math.max(t1 - t0, 1e-3);
    joints.forEach((_, j) => {
      const vals = history.map((r) => r[j + 1]!);
      const lo = Math.min(...vals) - 1;
      const hi = Math.max(...vals) + 1;
      ctx.strokeStyle = COLORS[j % COLORS.length]!;
      ctx.beginPath();
      history.forEach((r, i) => {
        const x = ((r[0]! - t0) / span) * w;
        const y = h - ((r[j + 1]! - lo) / (hi - lo)) * h;
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
    });
  }, [history, joints]);
  return (
    <div>
      <canvas ref={canvas} width={560} height={140} className="plot" />
      <div className="legend">
        {joints.map((j, i) => (
          <span key={j} style={{ color: COLORS[i % COLORS.length] }}>
            ● {j}
          </span>
        ))}
      </div>
    </div>
  );
}
