import { describe, expect, it } from "vitest";
import type { Block } from "./api/types";
import { blockFacts, limitFacts, recorded } from "./blockTile";

const START = "2025-11-20T14:00:00.000Z";
const END = "2025-11-20T19:00:00.000Z";

function block(partial: Partial<Block> = {}): Block {
  return {
    id: START,
    startTime: START,
    endTime: END,
    actualEndTime: "2025-11-20T16:30:00.000Z",
    isActive: true,
    entries: 12,
    inputTokens: 1_000,
    outputTokens: 20_000,
    cacheCreationTokens: 30_000,
    cacheReadTokens: 400_000,
    totalTokens: 451_000,
    costUSD: 4.1,
    models: ["claude-sonnet-4-5-20250929"],
    burnRate: { tokensPerMinute: 3_006.7, costPerHour: 1.64 },
    projection: { totalTokens: 700_000, totalCost: 8.2, remainingMinutes: 150 },
    ...partial,
  };
}

const at = (iso: string) => Date.parse(iso);

describe("blockFacts", () => {
  it("shows the block's tokens, cost, burn rate, projection and time left", () => {
    const facts = blockFacts(block(), at("2025-11-20T16:54:30Z"));
    expect(facts).toMatchObject({
      tokens: "451k",
      cost: "$4.10",
      burnRate: "3k tokens/min · $1.64/h",
      projectedCost: "$8.20",
      timeLeft: "2h 5m left",
    });
    expect(facts.span).toMatch(/–/);
  });

  it("counts down to the block's end, whatever the server said", () => {
    expect(blockFacts(block(), at("2025-11-20T18:47:55Z")).timeLeft).toBe("12m 5s left");
    expect(blockFacts(block(), at("2025-11-20T19:00:00Z")).timeLeft).toBe("ended");
  });

  it("says unpriced, never $0, when a part has no price", () => {
    const facts = blockFacts(
      block({
        costUSD: null,
        burnRate: { tokensPerMinute: 50, costPerHour: null },
        projection: { totalTokens: 1_000, totalCost: null, remainingMinutes: 10 },
      }),
      at("2025-11-20T16:00:00Z"),
    );
    expect([facts.cost, facts.burnRate, facts.projectedCost]).toEqual([
      "unpriced",
      "50 tokens/min · unpriced",
      "unpriced",
    ]);
  });

  it("has dashes without a burn rate or projection", () => {
    const facts = blockFacts(block({ burnRate: null, projection: null }), at("2025-11-20T16:00:00Z"));
    expect([facts.burnRate, facts.projectedCost]).toEqual(["—", "—"]);
  });
});

describe("limitFacts", () => {
  it("shows the used share, a bar width and the time to the reset", () => {
    expect(limitFacts({ usedPercent: 23.5, resetsAt: "2025-11-20T18:00:00Z" }, at("2025-11-20T16:40:00Z"))).toEqual({
      used: "24%",
      width: 23.5,
      resets: "resets in 1h 20m",
    });
  });

  it("keeps the bar inside its track and says when the reset has passed", () => {
    const facts = limitFacts({ usedPercent: 130, resetsAt: "2025-11-20T18:00:00Z" }, at("2025-11-20T18:30:00Z"));
    expect(facts.width).toBe(100);
    expect(facts.used).toBe("130%");
    expect(facts.resets).toMatch(/^reset .+ \(passed\)$/);
    expect(limitFacts({ usedPercent: 5, resetsAt: null }, 0).resets).toBe("reset time unknown");
  });
});

describe("recorded", () => {
  it("says how old the record is", () => {
    expect(recorded("2025-11-20T16:35:00Z", at("2025-11-20T16:40:00Z"))).toBe("recorded 5m ago");
  });
});
