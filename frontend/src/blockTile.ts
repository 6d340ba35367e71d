// What the Overview's 5-hour block tile shows, as text. Pure functions, so they are easy to test.
import type { Block, RateLimitWindow } from "./api/types";
import { formatAgo, formatCost, formatDuration, formatTokens } from "./format";

export interface BlockFacts {
  /** "14:00–19:00", local clock. */
  span: string;
  tokens: string;
  cost: string;
  /** "1.2k tokens/min · $3.40/h" */
  burnRate: string;
  /** The cost at the block's end at this burn rate. */
  projectedCost: string;
  /** "2h 5m left", "ended". */
  timeLeft: string;
}

export interface LimitFacts {
  /** "23%" */
  used: string;
  /** Bar width, 0 to 100. */
  width: number;
  /** "resets in 1h 20m", "reset 14:40 (passed)", "reset time unknown". */
  resets: string;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

function clockTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : clock.format(ms);
}

function secondsUntil(iso: string, now: number): number {
  return (Date.parse(iso) - now) / 1000;
}

/** The block's figures at `now` (ms); the time left counts down from its end, not from the server's answer. */
export function blockFacts(block: Block, now: number): BlockFacts {
  const left = secondsUntil(block.endTime, now);
  const burn = block.burnRate;
  const costRate = burn?.costPerHour;
  return {
    span: `${clockTime(block.startTime)}–${clockTime(block.endTime)}`,
    tokens: formatTokens(block.totalTokens),
    cost: formatCost(block.costUSD),
    burnRate: burn
      ? `${formatTokens(burn.tokensPerMinute)} tokens/min · ${costRate == null ? "unpriced" : `${formatCost(costRate)}/h`}`
      : "—",
    projectedCost: block.projection ? formatCost(block.projection.totalCost) : "—",
    timeLeft: left > 0 ? `${formatDuration(left)} left` : "ended",
  };
}

/** One official limit window at `now` (ms). */
export function limitFacts(window: RateLimitWindow, now: number): LimitFacts {
  const used = Math.max(0, Math.min(100, window.usedPercent));
  let resets = "reset time unknown";
  if (window.resetsAt !== null) {
    const left = secondsUntil(window.resetsAt, now);
    resets = left > 0 ? `resets in ${formatDuration(left)}` : `reset ${clockTime(window.resetsAt)} (passed)`;
  }
  return { used: `${Math.round(window.usedPercent)}%`, width: used, resets };
}

/** "recorded 5m ago" */
export function recorded(iso: string, now: number): string {
  return `recorded ${formatAgo(iso, now)}`;
}
