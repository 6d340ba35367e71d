import { useTimeline } from "../hooks/useTimeline";
import { ErrorNotice } from "./ErrorNotice";
import { Loading } from "./Loading";
import { Panel } from "./Panel";
import { TimelineEntry } from "./TimelineEntry";

export function Timeline({ sessionId, lastActivity }: { sessionId: string; lastActivity: string | undefined }) {
  const timeline = useTimeline(sessionId, lastActivity);
  const { items, total } = timeline;
  return (
    <Panel
      title={
        total === null
          ? "Timeline"
          : `Timeline (${items.length.toLocaleString("en-US")} of ${total.toLocaleString("en-US")})`
      }
    >
      {total === null && !timeline.error && <Loading what="timeline" />}
      {total === 0 && (
        <p className="py-4 text-center text-sm text-slate-500 dark:text-slate-400">Nothing in this transcript yet.</p>
      )}
      <ol data-testid="timeline" className="space-y-2">
        {items.map((item) => (
          <TimelineEntry key={item.uuid} item={item} />
        ))}
      </ol>
      {timeline.error && (
        <div className="mt-3">
          <ErrorNotice what="Could not load the timeline" error={timeline.error} onRetry={timeline.loadMore} />
        </div>
      )}
      {timeline.hasMore && (
        <div className="mt-3 text-center">
          <button
            type="button"
            onClick={timeline.loadMore}
            disabled={timeline.loading}
            className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium enabled:hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:enabled:hover:bg-slate-800"
          >
            {timeline.loading ? "Loading…" : `Load more (${(total ?? 0) - items.length} left)`}
          </button>
        </div>
      )}
    </Panel>
  );
}
