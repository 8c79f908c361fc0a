import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#e4572e', '#f3a712', '#b084f5', '#669bbc', '#a8c686', '#7d5ba6'];

/** Joint state (solid) and commanded action (dashed) over an episode, with a cursor at `frame`. */
export function EpisodePlot(props: {
  timestamps: number[];
  state: number[][];
  action: number[][];
  joints: string[];
  frame: number;
  onSeek: (frame: number) => void;
}) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { timestamps, state, action, joints, onSeek } = props;

  useEffect(() => {
    if (!el.current) return;
    const series: uPlot.Series[] = [{ label: 't (s)' }];
    const data: number[][] = [timestamps];
    joints.forEach((name, j) => {
      const stroke = COLORS[j % COLORS.length]!;
      series.push({ label: name, stroke, width: 1.5, points: { show: false } });
      data.push(state.map((r) => r[j]!));
      series.push({
        label: `${name} (action)`,
        stroke,
        width: 1,
        dash: [4, 4],
        show: false,
        points: { show: false },
      });
      data.push(action.map((r) => r[j]!));
    });
    const p = new uPlot(
      {
        width: Math.min(el.current.clientWidth || 720, 900),
        height: 220,
        series,
        scales: { x: { time: false } },
        axes: [{ stroke: '#8d98a5' }, { stroke: '#8d98a5' }],
        cursor: { drag: { x: false, y: false } },
        legend: { live: false },
      },
      data as uPlot.AlignedData,
      el.current,
    );
    p.over.addEventListener('click', () => {
      const idx = p.cursor.idx;
      if (idx !== null && idx !== undefined) onSeek(idx);
    });
    plot.current = p;
    return () => {
      p.destroy();
      plot.current = null;
    };
  }, [timestamps, state, action, joints, onSeek]);

  useEffect(() => {
    const p = plot.current;
    const t = timestamps[props.frame];
    if (p && t !== undefined) p.setCursor({ left: p.valToPos(t, 'x'), top: 10 });
  }, [props.frame, timestamps]);

  return <div ref={el} className="episode-plot" data-testid="episode-plot" />;
}
