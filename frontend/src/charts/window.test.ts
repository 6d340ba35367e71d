import { describe, expect, it } from "vitest";
import type { TokensAt } from "../api/types";
import type { ChartData } from "./series";
import { legendValue, markerIndexes, sessionTokens, trimToWindow, usageWindow } from "./window";

const HOUR = 3600;
const at = (day: number, hour: number) => new Date(2025, 10, day, hour).getTime() / 1000;

/** Hourly buckets from `from` to `to` (epoch seconds), one series with `values` at the given bucket starts. */
function hourly(from: number, to: number, values: Record<number, number>): ChartData {
  const x: number[] = [];
  for (let t = from; t <= to; t += HOUR) x.push(t);
  return { x, series: [{ label: "input", values: x.map((t) => values[t] ?? 0) }] };
}

describe("usage chart window", () => {
  const now = new Date(2025, 10, 20, 14, 30).getTime();
  // Fetched since yesterday's midnight, as the panel does.
  const since = at(19, 0);

  it("shows the last 24 hours when data reaches back that far", () => {
    const data = hourly(since, at(20, 14), { [at(19, 3)]: 5, [at(19, 20)]: 7, [at(20, 9)]: 1 });
    expect(usageWindow(data, "hour", now)).toEqual([at(19, 14), at(20, 14)]);
    const trimmed = trimToWindow(data, [at(19, 14), at(20, 14)]);
    expect(trimmed.x).toHaveLength(25);
    expect(trimmed.series[0]!.values.filter((v) => v > 0)).toEqual([7, 1]);
  });

  it("starts at the first data when there is less than 24 hours of it", () => {
    const data = hourly(since, at(20, 14), { [at(20, 9)]: 3, [at(20, 12)]: 4 });
    expect(usageWindow(data, "hour", now)).toEqual([at(20, 9), at(20, 14)]);
  });

  it("keeps at least two buckets, so a first response is not alone on the axis", () => {
    const data = hourly(since, at(20, 14), { [at(20, 14)]: 3 });
    expect(usageWindow(data, "hour", now)).toEqual([at(20, 13), at(20, 14)]);
  });

  it("is empty when the window holds no data", () => {
    expect(usageWindow(hourly(since, at(20, 14), { [at(19, 2)]: 9 }), "hour", now)).toBeNull();
    expect(usageWindow(hourly(since, at(20, 14), {}), "hour", now)).toBeNull();
    expect(usageWindow({ x: [], series: [] }, "hour", now)).toBeNull();
  });

  it("looks back 30 days for the daily chart", () => {
    const days = Array.from({ length: 31 }, (_, i) => new Date(2025, 9, 21 + i).getTime() / 1000);
    const values = days.map((_, i) => (i === 0 || i === 10 ? 5 : 0));
    const window = usageWindow({ x: days, series: [{ label: "m", values }] }, "day", now);
    expect(window).toEqual([days[0], new Date(2025, 10, 20).getTime() / 1000]);
  });
});

describe("chart markers and legend", () => {
  it("puts markers on non-zero points only", () => {
    expect(markerIndexes([0, 3, 0, 0, 1, 0])).toEqual([1, 4]);
    expect(markerIndexes([0, 0])).toEqual([]);
  });

  it("shows the hovered value, else the window's sum or the last running total", () => {
    expect(legendValue([1, 2, 3], 1, "sum")).toBe(2);
    expect(legendValue([1, 2, 3], null, "sum")).toBe(6);
    expect(legendValue([1, 2, 3], null, "last")).toBe(3);
    expect(legendValue([], null, "last")).toBe(0);
  });
});

describe("session tokens chart", () => {
  const point = (t: number, outputTokens: number): TokensAt => ({
    t,
    inputTokens: 0,
    outputTokens,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    costUSD: null,
  });

  it("spans the first to the last activity, from zero, whatever the buckets", () => {
    const first = 1_763_640_000 + 125; // a bucket start of 1_763_640_000 lies before the first activity
    const data = sessionTokens([point(1_763_640_000, 5), point(1_763_640_300, 7)], first, first + 900);
    expect(data.x).toEqual([first, 1_763_640_300, first + 900]);
    expect(data.series[1]!.label).toBe("output");
    expect(data.series[1]!.values).toEqual([5, 12, 12]);
  });

  it("adds a zero start and keeps a one-response session at least a minute wide", () => {
    const data = sessionTokens([point(1000, 4)], 990, 1000);
    expect(data.x).toEqual([990, 1000, 1050]);
    expect(data.series[1]!.values).toEqual([0, 4, 4]);
  });
});
