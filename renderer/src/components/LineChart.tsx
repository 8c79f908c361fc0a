import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#4cc38a', '#f3a712', '#669bbc', '#e4572e', '#b084f5', '#a8c686', '#7d5ba6'];

/** A small live line chart: x values and one or more named series (null = gap). */
export function LineChart(props: {
  x: number[];
  series: { label: string; values: (number | null)[] }[];
  xLabel: string;
  height?: number;
  testId?: string;
}) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = props.series.map((s) => s.label).join('|');

  useEffect(() => {
    if (!el.current) return;
    const p = new uPlot(
      {
        width: Math.min(el.current.clientWidth || 640, 900),
        height: props.height ?? 200,
        scales: { x: { time: false } },
        series: [
          { label: props.xLabel },
          ...labels.split('|').map((label, i) => ({
            label,
            stroke: COLORS[i % COLORS.length],
            width: 1.5,
            points: { show: false },
            spanGaps: true,
          })),
        ],
        axes: [{ stroke: '#8d98a5' }, { stroke: '#8d98a5' }],
      },
      [[], ...labels.split('|').map(() => [])] as unknown as uPlot.AlignedData,
      el.current,
    );
    plot.current = p;
    return () => {
      p.destroy();
      plot.current = null;
    };
  }, [labels, props.xLabel, props.height]);

  useEffect(() => {
    plot.current?.setData([props.x, ...props.series.map((s) => s.values)] as unknown as uPlot.AlignedData);
  }, [props.x, props.series]);

  return <div ref={el} className="line-chart" data-testid={props.testId} />;
}
