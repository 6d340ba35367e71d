import type { Block, RateLimits, RateLimitWindow } from "../api/types";
import { blockFacts, limitFacts, recorded } from "../blockTile";
import { formatDateTime, formatInteger } from "../format";
import { useNow } from "../hooks/useNow";

const CARD =
  "min-w-0 rounded-lg border border-slate-200 bg-white p-3 shadow-sm dark:border-slate-800 dark:bg-slate-900";

function Tag({ children }: { children: string }) {
  return (
    <span className="rounded bg-slate-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase tracking-wide text-slate-600 dark:bg-slate-800 dark:text-slate-300">
      {children}
    </span>
  );
}

function Heading({ title, tag }: { title: string; tag: string }) {
  return (
    <div className="flex items-center justify-between gap-2">
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{title}</p>
      <Tag>{tag}</Tag>
    </div>
  );
}

function Fact({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="truncate font-semibold tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

function CurrentBlock({ block, now }: { block: Block | null; now: number }) {
  if (!block) {
    return (
      <div data-testid="block-tile" className={CARD}>
        <Heading title="5-hour block" tag="estimate" />
        <p className="mt-2 text-sm text-slate-500 dark:text-slate-400">No active block: it opens with the next response.</p>
      </div>
    );
  }
  const facts = blockFacts(block, now);
  return (
    <div data-testid="block-tile" className={CARD}>
      <Heading title={`5-hour block ${facts.span}`} tag="estimate" />
      <div className="mt-1 flex flex-wrap items-baseline gap-x-3">
        <p className="text-xl font-semibold tabular-nums sm:text-2xl" data-testid="block-cost">
          {facts.cost}
        </p>
        <p
          className="text-sm tabular-nums text-slate-600 dark:text-slate-300"
          title={`${formatInteger(block.totalTokens)} tokens`}
          data-testid="block-tokens"
        >
          {facts.tokens} tokens
        </p>
        <p className="text-sm tabular-nums text-slate-600 dark:text-slate-300" data-testid="block-left">
          {facts.timeLeft}
        </p>
      </div>
      <dl className="mt-2 grid grid-cols-1 gap-2 text-sm sm:grid-cols-2">
        <Fact label="Burn rate" value={facts.burnRate} testId="block-burn" />
        <Fact label="Projected at its end" value={facts.projectedCost} testId="block-projected" />
      </dl>
      <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
        From the transcripts at API prices: a block opens at the hour of its first response and lasts 5 hours.
      </p>
    </div>
  );
}

function LimitBar({ label, window, now }: { label: string; window: RateLimitWindow; now: number }) {
  const facts = limitFacts(window, now);
  return (
    <div className="text-sm">
      <div className="flex items-baseline justify-between gap-3">
        <span>{label}</span>
        <span className="tabular-nums">
          <span className="font-semibold">{facts.used}</span>{" "}
          <span
            className="text-xs text-slate-500 dark:text-slate-400"
            title={window.resetsAt ? formatDateTime(window.resetsAt) : undefined}
          >
            {facts.resets}
          </span>
        </span>
      </div>
      <div
        className="mt-1 h-1.5 rounded-full bg-slate-100 dark:bg-slate-800"
        role="meter"
        aria-label={`${label} used`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={facts.width}
      >
        <div
          className={`h-full rounded-full ${facts.width >= 90 ? "bg-rose-500" : facts.width >= 70 ? "bg-amber-500" : "bg-emerald-500"}`}
          style={{ width: `${facts.width}%` }}
        />
      </div>
    </div>
  );
}

function PlanLimits({ limits, now }: { limits: RateLimits; now: number }) {
  return (
    <div data-testid="rate-limits" className={CARD}>
      <Heading title="Plan limits" tag="official" />
      <div className="mt-2 space-y-3">
        {limits.fiveHour && <LimitBar label="5-hour window" window={limits.fiveHour} now={now} />}
        {limits.sevenDay && <LimitBar label="7-day window" window={limits.sevenDay} now={now} />}
      </div>
      <p className="mt-2 text-xs text-slate-500 dark:text-slate-400" title={formatDateTime(limits.recordedAt)}>
        As Claude Code reported them to <code>ccdeck statusline</code>, {recorded(limits.recordedAt, now)}.
      </p>
    </div>
  );
}

/** The current 5-hour block (an estimate), with the official plan limits beside it when recorded. */
export function BlockTile({ block, rateLimits }: { block: Block | null; rateLimits: RateLimits | null }) {
  const now = useNow();
  return (
    <div className={`grid gap-3 ${rateLimits ? "lg:grid-cols-2" : ""}`}>
      <CurrentBlock block={block} now={now} />
      {rateLimits && <PlanLimits limits={rateLimits} now={now} />}
    </div>
  );
}
