import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff";

const options = { baseMs: 500, capMs: 30_000 };

describe("backoffDelay", () => {
  it("doubles per attempt between half and all of the ceiling", () => {
    expect(backoffDelay(0, options, () => 0)).toBe(250);
    expect(backoffDelay(0, options, () => 1)).toBe(500);
    expect(backoffDelay(1, options, () => 0)).toBe(500);
    expect(backoffDelay(1, options, () => 1)).toBe(1000);
    expect(backoffDelay(3, options, () => 0.5)).toBe(3000);
  });

  it("never exceeds the cap, however many attempts", () => {
    for (const attempt of [6, 7, 10, 50, 1000]) {
      expect(backoffDelay(attempt, options, () => 1)).toBe(30_000);
      expect(backoffDelay(attempt, options, () => 0)).toBe(15_000);
    }
  });

  it("spreads retries with jitter", () => {
    const delays = new Set([0.1, 0.4, 0.7, 0.9].map((r) => backoffDelay(4, options, () => r)));
    expect(delays.size).toBe(4);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(4000);
      expect(d).toBeLessThanOrEqual(8000);
    }
  });
});
