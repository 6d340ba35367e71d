import { describe, expect, it } from "vitest";
import {
  formatAgo,
  formatCost,
  formatCostOrDash,
  formatDuration,
  formatFor,
  formatPercent,
  formatSeconds,
  formatSpeedup,
  formatTokens,
  formatWhen,
  localDate,
  projectName,
} from "./format";

describe("formatTokens", () => {
  it.each([
    [0, "0"],
    [950, "950"],
    [1000, "1k"],
    [12_345, "12.3k"],
    [999_960, "1M"],
    [1_234_567, "1.2M"],
    [1_200_000, "1.2M"],
    [3_400_000_000, "3.4B"],
  ])("%d → %s", (n, text) => {
    expect(formatTokens(n)).toBe(text);
  });
});

describe("formatCost", () => {
  it.each([
    [null, "unpriced"],
    [0, "$0.00"],
    [0.00001, "<$0.0001"],
    [0.01234, "$0.0123"],
    [0.5, "$0.5000"],
    [12.345, "$12.35"],
    [1234.5, "$1,235"],
  ])("%s → %s", (usd, text) => {
    expect(formatCost(usd)).toBe(text);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [45, "45s"],
    [60, "1m"],
    [725, "12m 5s"],
    [3600, "1h"],
    [11_040, "3h 4m"],
    [183_600, "2d 3h"],
    [-5, "0s"],
  ])("%d s → %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("formatAgo", () => {
  const now = Date.parse("2025-11-20T12:00:00Z");
  it("says just now, then the largest unit", () => {
    expect(formatAgo("2025-11-20T11:59:30Z", now)).toBe("just now");
    expect(formatAgo("2025-11-20T11:55:00Z", now)).toBe("5m ago");
    expect(formatAgo("2025-11-20T08:30:00Z", now)).toBe("3h ago");
    expect(formatAgo("2025-11-18T12:00:00Z", now)).toBe("2d ago");
  });
});

describe("projectName", () => {
  it("is the last path segment", () => {
    expect(projectName("/home/dev/src/app")).toBe("app");
    expect(projectName("/home/dev/src/app/")).toBe("app");
    expect(projectName("C:\\work\\tool")).toBe("tool");
    expect(projectName("/")).toBe("/");
  });
});

describe("localDate", () => {
  it("counts calendar days back in local time", () => {
    expect(localDate(new Date(2025, 0, 3, 15), 0)).toBe("2025-01-03");
    expect(localDate(new Date(2025, 0, 3, 15), 5)).toBe("2024-12-29");
  });
});

describe("formatSpeedup", () => {
  it.each([
    [3.14, "3.1×"],
    [1, "1.0×"],
    [0.5, "0.5×"],
    [9.96, "10×"],
    [12.4, "12×"],
    [null, "—"],
    [Number.NaN, "—"],
    [Number.POSITIVE_INFINITY, "—"],
  ])("%s → %s", (ratio, text) => {
    expect(formatSpeedup(ratio)).toBe(text);
  });
});

describe("formatPercent", () => {
  it.each([
    [1, "100%"],
    [0.6667, "67%"],
    [0, "0%"],
    [null, "—"],
  ])("%s → %s", (share, text) => {
    expect(formatPercent(share)).toBe(text);
  });
});

describe("formatSeconds", () => {
  it("is formatDuration, with a dash for unknown times", () => {
    expect(formatSeconds(125.7)).toBe("2m 5s");
    expect(formatSeconds(0.4)).toBe("0s");
    expect(formatSeconds(null)).toBe("—");
    expect(formatSeconds(undefined)).toBe("—");
  });
});

describe("formatCostOrDash", () => {
  it("tells not billed yet from unpriced", () => {
    expect(formatCostOrDash(null, false)).toBe("—");
    expect(formatCostOrDash(null, true)).toBe("unpriced");
    expect(formatCostOrDash(1.5, true)).toBe("$1.50");
  });
});

describe("formatFor", () => {
  const now = Date.parse("2025-11-20T12:00:00Z");
  const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();
  it.each([
    [12, "for 12 s"],
    [180, "for 3 min"],
    [3600, "for 1 h"],
    [7500, "for 2 h 5 min"],
    [3 * 86400 + 4 * 3600, "for 3 d 4 h"],
  ])("%d s → %s", (seconds, text) => {
    expect(formatFor(ago(seconds), now)).toBe(text);
  });
  it("is null when the start is unknown, and never negative", () => {
    expect(formatFor(null, now)).toBeNull();
    expect(formatFor("soon", now)).toBeNull();
    expect(formatFor(ago(-30), now)).toBe("for 0 s");
  });
});

describe("formatWhen", () => {
  const now = new Date(2025, 10, 20, 12).getTime();
  it("is relative within the last 7 days", () => {
    expect(formatWhen(new Date(now - 10_000).toISOString(), now)).toBe("just now");
    expect(formatWhen(new Date(2025, 10, 20, 9).toISOString(), now)).toBe("3h ago");
    expect(formatWhen(new Date(2025, 10, 13, 13).toISOString(), now)).toBe("6d ago");
  });
  it("is an absolute date after that, with the year only when it differs", () => {
    const lastWeek = formatWhen(new Date(2025, 10, 13, 11).toISOString(), now);
    expect(lastWeek).not.toContain("ago");
    expect(lastWeek).toContain("13");
    expect(lastWeek).not.toContain("2025");
    const lastYear = formatWhen(new Date(2024, 1, 3).toISOString(), now);
    expect(lastYear).toContain("2024");
    expect(lastYear).not.toContain("ago");
  });
  it("leaves a value that is not a date as it is", () => {
    expect(formatWhen("unknown", now)).toBe("unknown");
  });
});
