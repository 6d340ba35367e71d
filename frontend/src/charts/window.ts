// Which part of the data a time chart shows, and what its markers and legend say. Pure, so easy to test.
import type { TokensAt } from "../api/types";
import { type ChartBucket, type ChartData, bucketStart, cumulativeTokens } from "./series";

/** How far back the usage chart looks, per bucket. */
export const WINDOW_SECONDS: Record<ChartBucket, number> = { hour: 24 * 3600, day: 30 * 86400 };

function bucketBefore(t: number, bucket: ChartBucket): number {
  return bucketStart(t - (bucket === "hour" ? 1800 : 43200), bucket);
}

/**
 * The usage chart's window, as bucket starts `[from, to]`: it ends with the bucket holding `now` and spans the last
 * 24 hours (hourly) or 30 days (daily), or less, from the first bucket with data, when the data starts later. At
 * least two buckets, so a first response does not sit alone on a day-wide axis. Null when the window holds no data.
 */
export function usageWindow(data: ChartData, bucket: ChartBucket, now: number): [number, number] | null {
  const to = bucketStart(now / 1000, bucket);
  const earliest = bucketStart(now / 1000 - WINDOW_SECONDS[bucket], bucket);
  const withData = data.x.filter((t, i) => t <= to && data.series.some((s) => s.values[i] !== 0));
  const first = withData[0];
  if (first === undefined || withData.at(-1)! < earliest) return null;
  return [Math.min(Math.max(first, earliest), bucketBefore(to, bucket)), to];
}

/** Only the points of `data` inside `[from, to]`. */
export function trimToWindow(data: ChartData, [from, to]: [number, number]): ChartData {
  const keep = data.x.flatMap((t, i) => (t >= from && t <= to ? [i] : []));
  return {
    x: keep.map((i) => data.x[i]!),
    series: data.series.map((s) => ({ label: s.label, values: keep.map((i) => s.values[i]!) })),
  };
}

/**
 * A session's cumulative tokens from its first to its last activity (epoch seconds): points bucketed before the
 * first activity are moved to it, the curve starts at zero there and stays level to the last activity.
 */
export function sessionTokens(points: readonly TokensAt[], first: number, last: number): ChartData {
  const end = Math.max(last, first + 60);
  const inside = points.map((p) => ({ ...p, t: Math.min(Math.max(p.t, first), end) }));
  const data = cumulativeTokens(inside);
  // Several buckets clamped to the same instant: keep the last running sum only.
  const x: number[] = [];
  const keep: number[] = [];
  data.x.forEach((t, i) => {
    if (x.at(-1) === t) keep[keep.length - 1] = i;
    else {
      x.push(t);
      keep.push(i);
    }
  });
  const series = data.series.map((s) => ({ label: s.label, values: keep.map((i) => s.values[i]!) }));
  if (x[0] !== first) {
    x.unshift(first);
    series.forEach((s) => s.values.unshift(0));
  }
  if (x.at(-1) !== end) {
    x.push(end);
    series.forEach((s) => s.values.push(s.values.at(-1) ?? 0));
  }
  return { x, series };
}

/** The indexes that get a point marker: every non-zero value (a zero is the baseline, not a data point). */
export function markerIndexes(values: readonly number[]): number[] {
  return values.flatMap((v, i) => (v !== 0 ? [i] : []));
}

/** What the legend says of a series with the cursor away: the window's sum, or the last value (a running total). */
export type LegendIdle = "sum" | "last";

/** A series' legend value: its value under the cursor (`idx`), else its `idle` summary. */
export function legendValue(values: readonly number[], idx: number | null, idle: LegendIdle): number {
  if (idx !== null) return values[idx] ?? 0;
  if (idle === "last") return values.at(-1) ?? 0;
  return values.reduce((a, b) => a + b, 0);
}
