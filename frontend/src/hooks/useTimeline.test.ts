import { describe, expect, it } from "vitest";
import type { TimelineItem } from "../api/types";
import { mergeItems } from "./useTimeline";

const item = (uuid: string, timestamp: string): TimelineItem => ({
  uuid,
  timestamp,
  kind: "prompt",
  text: uuid,
  toolName: null,
  agentId: null,
  isError: false,
  truncated: false,
});

describe("mergeItems", () => {
  const shown = [item("a", "2025-11-20T10:00:00.000Z"), item("b", "2025-11-20T10:00:01.000Z")];

  it("appends the tail fetched after the newest item, dropping the ones already shown", () => {
    const tail = [item("b", "2025-11-20T10:00:01.000Z"), item("c", "2025-11-20T10:00:01.000Z")];
    expect(mergeItems(shown, tail).map((i) => i.uuid)).toEqual(["a", "b", "c"]);
  });

  it("puts earlier pages before, oldest first, and keeps the same array when nothing is new", () => {
    const earlier = [item("z", "2025-11-20T09:00:00.000Z"), item("a", "2025-11-20T10:00:00.000Z")];
    expect(mergeItems(shown, earlier).map((i) => i.uuid)).toEqual(["z", "a", "b"]);
    expect(mergeItems(shown, [shown[0]!])).toBe(shown);
  });
});
