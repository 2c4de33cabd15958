// Rates of the last minutes with uPlot: a sparkline per table row, and labelled charts
// on a service's page.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { rate } from '../format.js';

const secs = (t: number[]) => t.map((x) => x / 1000);
/** Axis ticks as wall-clock times ("12:03" or "12:03:30"). */
const hhmm = (s: number) => new Date(s * 1000).toLocaleTimeString('en-GB', s % 60 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' });

export function Sparkline(p: { t: number[]; values: number[] | undefined; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const values = p.values ?? [];
  const n = Math.min(p.t.length, values.length);
  const data: uPlot.AlignedData = [secs(p.t.slice(-n)), values.slice(-n)];
  useEffect(() => {
    plot.current = new uPlot({
      width: 80, height: 22, pxAlign: false, cursor: { show: false }, legend: { show: false }, select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: '#2563eb', width: 1.25, fill: 'rgba(37,99,235,0.12)', points: { show: false } }],
    }, data, el.current!);
    return () => plot.current?.destroy();
  }, []);
  useEffect(() => { plot.current?.setData(data); });
  const last = values.length ? values[values.length - 1] : 0;
  return <div class="spark" ref={el} role="img" aria-label={`${p.label}: ${rate(last)} connections/s now`} />;
}

export interface Line { label: string; values: number[]; color: string }

/** A chart with time axis, value axis and legend; resizes with its box. */
export function RateChart(p: { title: string; unit: string; t: number[]; lines: Line[]; format?: (v: number) => string }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const fmt = p.format ?? rate;
  const data: uPlot.AlignedData = [secs(p.t), ...p.lines.map((l) => l.values.slice(-p.t.length))];
  useEffect(() => {
    const box = el.current!;
    const width = () => Math.max(240, box.clientWidth);
    plot.current = new uPlot({
      width: width(), height: 160,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [
        { stroke: '#52606d', grid: { stroke: '#e4e7eb', width: 1 }, ticks: { stroke: '#cbd2d9', width: 1 }, values: (_u, vals) => vals.map((v) => hhmm(v)) },
        { stroke: '#52606d', size: 56, grid: { stroke: '#e4e7eb', width: 1 }, ticks: { stroke: '#cbd2d9', width: 1 }, values: (_u, vals) => vals.map((v) => fmt(v)) },
      ],
      series: [{ value: (_u, v) => (v == null ? '-' : new Date(v * 1000).toLocaleTimeString('en-GB')) },
        ...p.lines.map((l) => ({ label: l.label, stroke: l.color, width: 1.5, points: { show: false }, value: (_u: uPlot, v: number | null) => (v == null ? '-' : `${fmt(v)} ${p.unit}`) }))],
    }, data, box);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: width(), height: 160 }));
    ro.observe(box);
    return () => { ro.disconnect(); plot.current?.destroy(); };
  }, [p.lines.length]);
  useEffect(() => { plot.current?.setData(data); });
  return (
    <figure class="chart">
      <figcaption>{p.title}</figcaption>
      <div ref={el} />
    </figure>
  );
}
