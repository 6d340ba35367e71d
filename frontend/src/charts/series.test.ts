import { describe, expect, it } from "vitest";
import type { UsagePoint } from "../api/types";
import { bucketRange, bucketStart, cumulativeTokens, stack, usageChartData } from "./series";

function point(t: string, key: string, tokens: Partial<UsagePoint> = {}): UsagePoint {
  return {
    t,
    key,
    inputTokens: 1,
    outputTokens: 2,
    cacheCreationTokens: 3,
    cacheReadTokens: 4,
    totalTokens: 10,
    costUSD: 0.5,
    ...tokens,
  };
}

describe("chart series", () => {
  it("stacks running sums", () => {
    expect(
      stack([
        [1, 2],
        [10, 20],
        [100, 200],
      ]),
    ).toEqual([
      [1, 2],
      [11, 22],
      [111, 222],
    ]);
  });

  it("buckets by local hour and day", () => {
    const t = new Date(2025, 10, 20, 13, 45, 12).getTime() / 1000;
    expect(bucketStart(t, "hour")).toBe(new Date(2025, 10, 20, 13).getTime() / 1000);
    expect(bucketStart(t, "day")).toBe(new Date(2025, 10, 20).getTime() / 1000);
    expect(bucketRange("2025-11-19", new Date(2025, 10, 20, 12), "day")).toHaveLength(2);
    expect(bucketRange("2025-11-20", new Date(2025, 10, 20, 2, 30), "hour")).toHaveLength(3);
  });

  it("sums fetched and live usage by type and by model, keeping empty buckets", () => {
    const day1 = new Date(2025, 10, 19);
    const day2 = new Date(2025, 10, 20);
    const range = [day1.getTime() / 1000, day2.getTime() / 1000];
    const fetched = [point(day1.toISOString(), "opus"), point(day1.toISOString(), "sonnet")];
    const live = [
      {
        t: new Date(2025, 10, 20, 9).getTime() / 1000,
        sessionId: "s",
        projectPath: "/p",
        model: "sonnet",
        inputTokens: 5,
        outputTokens: 5,
        cacheCreationTokens: 0,
        cacheReadTokens: 0,
        costUSD: null,
      },
    ];
    const byType = usageChartData(fetched, live, "day", "type", range);
    expect(byType.x).toEqual(range);
    expect(byType.series.map((s) => [s.label, s.values])).toEqual([
      ["input", [2, 5]],
      ["output", [4, 5]],
      ["cache write", [6, 0]],
      ["cache read", [8, 0]],
    ]);
    const byModel = usageChartData(fetched, live, "day", "model", range);
    expect(byModel.series).toEqual([
      { label: "sonnet", values: [10, 10] },
      { label: "opus", values: [10, 0] },
    ]);
  });

  it("accumulates a session's tokens in time order", () => {
    const data = cumulativeTokens([
      { t: 20, inputTokens: 1, outputTokens: 1, cacheCreationTokens: 0, cacheReadTokens: 5, costUSD: null },
      { t: 10, inputTokens: 2, outputTokens: 0, cacheCreationTokens: 1, cacheReadTokens: 0, costUSD: 0.1 },
    ]);
    expect(data.x).toEqual([10, 20]);
    expect(data.series.map((s) => s.values)).toEqual([
      [2, 3],
      [0, 1],
      [1, 1],
      [0, 5],
    ]);
  });
});
