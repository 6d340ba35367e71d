import type { ServerMessage } from "../api/types";
import { type BackoffOptions, DEFAULT_BACKOFF, backoffDelay } from "./backoff";
import type { LiveAction } from "./reducer";

const MESSAGE_TYPES = new Set<string>([
  "snapshot",
  "session.updated",
  "session.state",
  "usage.point",
  "summary",
  "scan.progress",
  "run.updated",
  "alert",
  "mutes",
  "ping",
]);

/** Parses one frame; null for anything that is not a known server message. */
export function parseMessage(data: unknown): ServerMessage | null {
  if (typeof data !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object" || !("type" in value)) return null;
  return typeof value.type === "string" && MESSAGE_TYPES.has(value.type) ? (value as ServerMessage) : null;
}

/** The page's WebSocket address: same host, ws or wss to match the page. */
export function liveUrl(location: Pick<Location, "protocol" | "host">): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
}

export interface LiveSocketOptions {
  url: string;
  dispatch: (action: LiveAction) => void;
  createSocket?: (url: string) => WebSocket;
  backoff?: BackoffOptions;
  random?: () => number;
  /** Consecutive failed attempts after which the status shows offline rather than reconnecting. */
  offlineAfter?: number;
  /** The server pings every 20 s: this long without any frame means the connection is dead. */
  silenceMs?: number;
}

/** One WebSocket to the server that reconnects by itself with capped, jittered exponential backoff. */
export class LiveSocket {
  private readonly options: Required<LiveSocketOptions>;
  private socket: WebSocket | null = null;
  private failures = 0;
  private everOpened = false;
  private stopped = true;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private silenceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: LiveSocketOptions) {
    this.options = {
      createSocket: (url) => new WebSocket(url),
      backoff: DEFAULT_BACKOFF,
      random: Math.random,
      offlineAfter: 3,
      silenceMs: 50_000,
      ...options,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }

  /** Try now instead of waiting out the backoff (e.g. when the browser comes back online). */
  retryNow(): void {
    if (this.stopped || this.socket) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  private connect(): void {
    const { createSocket, url, dispatch } = this.options;
    let opened = false;
    let socket: WebSocket;
    try {
      socket = createSocket(url);
    } catch {
      this.failures += 1;
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      const mayHaveMissedUpdates = this.everOpened || this.failures > 0;
      this.everOpened = true;
      this.failures = 0;
      dispatch({ type: "connection", status: "live" });
      if (mayHaveMissedUpdates) dispatch({ type: "resync" });
      this.armSilenceTimer(socket);
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket) return;
      this.armSilenceTimer(socket);
      const message = parseMessage(event.data);
      if (message) dispatch(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.lost(opened);
    };
  }

  private lost(opened: boolean): void {
    clearTimeout(this.silenceTimer);
    this.socket = null;
    if (this.stopped) return;
    if (!opened) this.failures += 1;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    const { dispatch, offlineAfter, backoff, random } = this.options;
    const browserOffline = typeof navigator !== "undefined" && navigator.onLine === false;
    dispatch({
      type: "connection",
      status: browserOffline || this.failures >= offlineAfter ? "offline" : "reconnecting",
    });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), backoffDelay(this.failures, backoff, random));
  }

  private armSilenceTimer(socket: WebSocket): void {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      if (this.socket !== socket) return;
      // A dead TCP connection can take minutes to report close: give up on it now.
      this.lost(true);
      socket.close();
    }, this.options.silenceMs);
  }
}
