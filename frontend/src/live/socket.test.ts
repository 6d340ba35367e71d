import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LiveAction } from "./reducer";
import { LiveSocket, liveUrl, parseMessage } from "./socket";

class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  closed = false;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  close() {
    this.closed = true;
  }

  open() {
    this.onopen?.();
  }

  drop() {
    this.onclose?.();
  }

  send(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) });
  }
}

function latest(): FakeSocket {
  const socket = FakeSocket.all[FakeSocket.all.length - 1];
  if (!socket) throw new Error("no socket created");
  return socket;
}

describe("LiveSocket", () => {
  let actions: LiveAction[];
  let live: LiveSocket;

  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    actions = [];
    live = new LiveSocket({
      url: "ws://host/ws",
      dispatch: (action) => actions.push(action),
      createSocket: (url) => new FakeSocket(url) as unknown as WebSocket,
      backoff: { baseMs: 1000, capMs: 8000 },
      random: () => 1,
      offlineAfter: 2,
      silenceMs: 50_000,
    });
  });

  afterEach(() => {
    live.stop();
    vi.useRealTimers();
  });

  const statuses = () => actions.filter((a) => a.type === "connection").map((a) => ("status" in a ? a.status : ""));

  it("goes live and forwards known messages only", () => {
    live.start();
    latest().open();
    latest().send({ type: "summary", summary: {} });
    latest().send({ type: "mystery" });
    latest().onmessage?.({ data: "not json" });
    expect(statuses()).toEqual(["live"]);
    expect(actions.map((a) => a.type)).toEqual(["connection", "summary"]);
  });

  it("retries with growing, capped delays, then reports offline", () => {
    live.start();
    latest().drop(); // first attempt fails
    expect(statuses()).toEqual(["reconnecting"]);
    vi.advanceTimersByTime(1999);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
    latest().drop(); // second failure: offline, next try after 4 s
    expect(statuses()).toEqual(["reconnecting", "offline"]);
    vi.advanceTimersByTime(4000);
    latest().drop();
    vi.advanceTimersByTime(8000);
    latest().drop();
    vi.advanceTimersByTime(8000); // capped
    expect(FakeSocket.all).toHaveLength(5);
  });

  it("asks pages to re-fetch after a reconnect, not after the first connection", () => {
    live.start();
    latest().open();
    expect(actions.some((a) => a.type === "resync")).toBe(false);
    latest().drop();
    expect(statuses()).toEqual(["live", "reconnecting"]);
    vi.advanceTimersByTime(1000);
    latest().open();
    expect(actions.filter((a) => a.type === "resync")).toHaveLength(1);
    expect(statuses()).toEqual(["live", "reconnecting", "live"]);
  });

  it("re-fetches once connected when the first attempts failed", () => {
    live.start();
    latest().drop();
    vi.advanceTimersByTime(2000);
    latest().open();
    expect(actions.filter((a) => a.type === "resync")).toHaveLength(1);
  });

  it("drops a connection that has gone silent", () => {
    live.start();
    const first = latest();
    first.open();
    vi.advanceTimersByTime(40_000);
    first.send({ type: "ping" });
    vi.advanceTimersByTime(40_000);
    expect(first.closed).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(first.closed).toBe(true);
    expect(statuses()).toEqual(["live", "reconnecting"]);
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("stops for good", () => {
    live.start();
    latest().open();
    live.stop();
    expect(latest().closed).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });
});

describe("liveUrl and parseMessage", () => {
  it("uses ws or wss to match the page", () => {
    expect(liveUrl({ protocol: "http:", host: "127.0.0.1:8484" })).toBe("ws://127.0.0.1:8484/ws");
    expect(liveUrl({ protocol: "https:", host: "deck.example" })).toBe("wss://deck.example/ws");
  });

  it("accepts only known message types", () => {
    expect(parseMessage('{"type":"ping"}')).toEqual({ type: "ping" });
    expect(parseMessage('{"type":"run.updated","run":{"id":"r1"}}')).toEqual({ type: "run.updated", run: { id: "r1" } });
    expect(parseMessage('{"type":"alert","alert":{"kind":"blocked"}}')).toEqual({
      type: "alert",
      alert: { kind: "blocked" },
    });
    expect(parseMessage('{"type":"mutes","mutes":{}}')).toEqual({ type: "mutes", mutes: {} });
    expect(parseMessage('{"type":"other"}')).toBeNull();
    expect(parseMessage("[1,2]")).toBeNull();
    expect(parseMessage(new ArrayBuffer(2))).toBeNull();
  });
});
