import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { type ChartData, stack } from "../charts/series";
import { mix, seriesColor } from "../charts/palette";
import { type LegendIdle, legendValue, markerIndexes } from "../charts/window";
import { formatDateTime } from "../format";
import { type Theme, useTheme } from "../theme";

interface TimeChartProps {
  data: ChartData;
  stacked: boolean;
  /** Formats y values on the axis and in the legend. */
  format: (value: number) => string;
  label: string;
  height?: number;
  /** What the legend shows with the cursor off the chart: each series' sum (default) or its last value. */
  idle?: LegendIdle;
  /** A span to shade behind the series (epoch seconds), e.g. the current 5-hour block. */
  band?: Band | null;
}

export interface Band {
  start: number;
  end: number;
  /** Names the band for assistive technology and tests. */
  label: string;
}

/** The x legend entry with the cursor off the chart. */
const IDLE_LABELS: Record<LegendIdle, string> = { sum: "Total", last: "Latest" };

const COLORS: Record<Theme, { background: string; axis: string; grid: string; band: string }> = {
  light: { background: "#ffffff", axis: "#475569", grid: "#e2e8f0", band: "rgba(14, 165, 233, 0.12)" },
  dark: { background: "#0f172a", axis: "#94a3b8", grid: "#1e293b", band: "rgba(56, 189, 248, 0.16)" },
};

const MIN_BAND_PX = 6;

/** Shades `band.current` across the plot's height, under the series (drawn with the axes, before them). */
function bandPlugin(band: { readonly current: Band | null | undefined }, color: string): uPlot.Plugin {
  return {
    hooks: {
      drawAxes: (u: uPlot) => {
        const span = band.current;
        if (!span) return;
        const { left, top, width, height } = u.bbox;
        const right = left + width;
        const start = u.valToPos(span.start, "x", true);
        const end = u.valToPos(span.end, "x", true);
        if (end <= left || start > right) return; // zoomed away from it
        // A span that starts at the last point (a block opened this hour) still shows, as a strip at the edge.
        const from = Math.min(Math.max(left, start), right - MIN_BAND_PX);
        const to = Math.max(Math.min(right, end), from + MIN_BAND_PX);
        u.ctx.save();
        u.ctx.fillStyle = color;
        u.ctx.fillRect(from, top, to - from, height);
        u.ctx.restore();
      },
    },
  };
}

/**
 * Y-axis steps: whole numbers only (1, 2, 5, 10, 20, 50…). Token counts have no fractions, and a fractional
 * step on a small range would print the same rounded label several times ("1 1 1 0 0 0").
 */
const WHOLE_STEPS: number[] = Array.from({ length: 16 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

/** Series indexes in drawing order: a stack is drawn top band first (see `options`). */
function drawingOrder(count: number, stacked: boolean): number[] {
  const order = Array.from({ length: count }, (_, k) => k);
  return stacked ? order.reverse() : order;
}

function plotData(data: ChartData, stacked: boolean): uPlot.AlignedData {
  const values = data.series.map((s) => s.values);
  const lines = stacked ? stack(values) : values;
  return [data.x, ...drawingOrder(lines.length, stacked).map((k) => lines[k]!)];
}

function options(
  data: ChartData,
  current: { readonly current: ChartData },
  band: { readonly current: Band | null | undefined },
  stacked: boolean,
  format: (value: number) => string,
  width: number,
  height: number,
  theme: Theme,
  idle: LegendIdle,
): uPlot.Options {
  const colors = COLORS[theme];
  // Stacked: the running sums are drawn top band first, each filled opaquely down to zero, so each
  // band shows only above the one below it. The legend still reports each series' own value.
  // Values come from `current`, each series' own (not its stacked sum): markers and legend follow live data.
  const own = (k: number) => current.current.series[k]?.values ?? [];
  const series: uPlot.Series[] = [
    {
      value: (_u: uPlot, v: number | null, _si: number, idx: number | null) =>
        idx === null || v === null ? IDLE_LABELS[idle] : formatDateTime(new Date(v * 1000).toISOString()),
    },
    ...drawingOrder(data.series.length, stacked).map((k) => {
      const color = seriesColor(k);
      return {
        label: data.series[k]!.label,
        stroke: color,
        width: stacked ? 1 : 2,
        ...(stacked ? { fill: mix(color, colors.background, 0.35) } : {}),
        // Markers only where uPlot would draw them (sparse data) and only on non-zero values.
        points: { filter: (_u: uPlot, _si: number, show: boolean) => (show ? markerIndexes(own(k)) : null) },
        value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) =>
          format(legendValue(own(k), idx, idle)),
      } satisfies uPlot.Series;
    }),
  ];
  const axis = {
    stroke: colors.axis,
    grid: { stroke: colors.grid, width: 1 },
    ticks: { stroke: colors.grid, width: 1 },
  };
  return {
    width,
    height,
    series,
    axes: [axis, { ...axis, size: 60, incrs: WHOLE_STEPS, values: (_u, splits) => splits.map((v) => format(v)) }],
    scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
    cursor: { drag: { x: true, y: false } },
    plugins: [bandPlugin(band, colors.band)],
  };
}

/**
 * A uPlot time chart: drag to zoom in, double-click to zoom back out. New data for the same series
 * is swapped in place, so a zoomed-in view stays put while live points arrive.
 */
export function TimeChart({ data, stacked, format, label, height = 260, band, idle = "sum" }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const current = useRef(data);
  const shaded = useRef(band);
  const { theme } = useTheme();
  const labels = data.series.map((s) => s.label).join("\u0000");

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    // Rebuilt only when the series (`labels`) or the look change; the next effect swaps in new data.
    current.current = data;
    const chart = new uPlot(
      options(data, current, shaded, stacked, format, element.clientWidth, height, theme, idle),
      plotData(data, stacked),
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [labels, stacked, format, height, theme, idle]);

  useEffect(() => {
    const previous = current.current;
    current.current = data;
    const chart = plot.current;
    if (!chart || previous === data) return;
    const { min, max } = chart.scales.x ?? {};
    const zoomed =
      min !== undefined && max !== undefined && (min > (previous.x[0] ?? min) || max < (previous.x.at(-1) ?? max));
    chart.setData(plotData(data, stacked), !zoomed);
  }, [data, stacked]);

  useEffect(() => {
    shaded.current = band;
    plot.current?.redraw(false);
  }, [band]);

  return (
    <div
      ref={box}
      role="img"
      aria-label={band ? `${label}; shaded: ${band.label}` : label}
      data-band={band ? `${band.start}-${band.end}` : undefined}
      className="time-chart w-full min-w-0"
    />
  );
}
