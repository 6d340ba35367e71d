import { useRef, useState } from "react";
import { useTimeline } from "../hooks/useTimeline";
import { ErrorNotice } from "./ErrorNotice";
import { Loading } from "./Loading";
import { Panel } from "./Panel";
import { SegmentedControl } from "./SegmentedControl";
import { TimelineEntry } from "./TimelineEntry";

type Order = "oldest" | "newest";

const ORDER_KEY = "ccdeck.timelineOrder";

function savedOrder(): Order {
  try {
    return localStorage.getItem(ORDER_KEY) === "newest" ? "newest" : "oldest";
  } catch {
    return "oldest";
  }
}

const BUTTON =
  "rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium enabled:hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:enabled:hover:bg-slate-800";

/** A session's timeline: the latest items, earlier ones on demand, new ones as they are written. */
export function Timeline({ sessionId, lastActivity }: { sessionId: string; lastActivity: string | undefined }) {
  const timeline = useTimeline(sessionId, lastActivity);
  const [order, setOrderState] = useState<Order>(savedOrder);
  const list = useRef<HTMLOListElement>(null);
  const { items, total } = timeline;
  const shown = order === "newest" ? [...items].reverse() : items;

  const setOrder = (next: Order) => {
    setOrderState(next);
    try {
      localStorage.setItem(ORDER_KEY, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  };
  const jumpToLatest = () => {
    const entries = list.current?.querySelectorAll<HTMLElement>('[data-testid="timeline-item"]');
    const latest = order === "newest" ? entries?.[0] : entries?.[entries.length - 1];
    latest?.scrollIntoView({ block: order === "newest" ? "start" : "end", behavior: "smooth" });
  };

  const earlier = timeline.hasEarlier && (
    <div className="my-3 text-center">
      <button
        type="button"
        data-testid="timeline-earlier"
        onClick={timeline.loadEarlier}
        disabled={timeline.loading}
        className={BUTTON}
      >
        {timeline.loading ? "Loading…" : `Load earlier (${(total ?? 0) - items.length} more)`}
      </button>
    </div>
  );
  const controls = (
    <div className="flex flex-wrap items-center gap-2">
      <SegmentedControl
        label="Timeline order"
        value={order}
        onChange={setOrder}
        options={[
          { value: "oldest", label: "Oldest first" },
          { value: "newest", label: "Newest first" },
        ]}
      />
      <button
        type="button"
        data-testid="timeline-jump"
        onClick={jumpToLatest}
        disabled={items.length === 0}
        className="rounded-md px-2 py-1 text-xs font-medium text-sky-700 ring-1 ring-slate-300 enabled:hover:bg-slate-100 disabled:opacity-50 dark:text-sky-400 dark:ring-slate-700 dark:enabled:hover:bg-slate-800"
      >
        {order === "newest" ? "↑" : "↓"} Jump to latest
      </button>
    </div>
  );

  return (
    <Panel
      title={
        total === null
          ? "Timeline"
          : `Timeline (${items.length.toLocaleString("en-US")} of ${total.toLocaleString("en-US")})`
      }
      actions={controls}
    >
      {total === null && !timeline.error && <Loading what="timeline" />}
      {total === 0 && (
        <p className="py-4 text-center text-sm text-slate-500 dark:text-slate-400">Nothing in this transcript yet.</p>
      )}
      {order === "oldest" && earlier}
      <ol ref={list} data-testid="timeline" data-order={order} className="space-y-2">
        {shown.map((item) => (
          <TimelineEntry key={item.uuid} item={item} />
        ))}
      </ol>
      {order === "newest" && earlier}
      {timeline.error && (
        <div className="mt-3">
          <ErrorNotice what="Could not load the timeline" error={timeline.error} onRetry={timeline.follow} />
        </div>
      )}
    </Panel>
  );
}
