import { useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api/client";
import type { Block } from "../api/types";
import { type ChartBucket, type ChartData, type UsageView, bucketRange, usageChartData } from "../charts/series";
import { trimToWindow, usageWindow } from "../charts/window";
import { formatTime, formatTokens, localDate } from "../format";
import { useApi } from "../hooks/useApi";
import { useLive } from "../live/LiveProvider";
import { ErrorNotice } from "./ErrorNotice";
import { Loading } from "./Loading";
import { Panel } from "./Panel";
import { type ChartStyle, ChartStyleToggle } from "./ChartStyleToggle";
import { SegmentedControl } from "./SegmentedControl";
import { type Band, TimeChart } from "./TimeChart";

type Mode = ChartStyle;

/** No series, or every value zero: nothing to draw. */
function isEmpty(data: ChartData): boolean {
  return data.series.every((s) => s.values.every((v) => v === 0));
}

/** What is fetched (`daysBack`, local days), of which the chart shows its window (see `usageWindow`). */
const RANGES: Record<ChartBucket, { daysBack: number; label: string }> = {
  hour: { daysBack: 1, label: "last 24 hours" },
  day: { daysBack: 30, label: "last 30 days" },
};

const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Token usage over time, updated by the live `usage.point` messages between fetches; the current 5-hour block,
 * when there is one, shaded behind. */
export function UsagePanel({ block = null }: { block?: Block | null }) {
  const [bucket, setBucket] = useState<ChartBucket>("hour");
  const [view, setView] = useState<UsageView>("type");
  const [mode, setMode] = useState<Mode>("stacked");
  const live = useLive();
  const liveSeq = useRef(live.usage.seq);
  useEffect(() => {
    liveSeq.current = live.usage.seq;
  }, [live.usage.seq]);

  const usage = useApi(async (signal) => {
    // Live points numbered after this one arrived after the fetch began: they are added on top.
    const seq = liveSeq.current;
    const now = new Date();
    const since = localDate(now, RANGES[bucket].daysBack);
    const answer = await api.usage({ bucket, group: "model", since, tz: timeZone }, signal);
    return { seq, since, now, answer };
  }, `usage:${bucket}`);

  const data = useMemo(() => {
    if (!usage.data) return null;
    const { seq, since, now, answer } = usage.data;
    const sinceSeconds = Date.parse(`${since}T00:00:00`) / 1000;
    const fresh = live.usage.points.filter((p) => p.seq > seq && p.t >= sinceSeconds);
    const all = usageChartData(answer.points, fresh, bucket, view, bucketRange(since, now, bucket));
    // Live points extend the window to the bucket they fall in.
    const newest = Math.max(now.getTime(), ...fresh.map((p) => p.t * 1000));
    const window = usageWindow(all, bucket, newest);
    return window ? trimToWindow(all, window) : { x: [], series: [] };
  }, [usage.data, live.usage.points, bucket, view]);

  const start = block?.startTime;
  const end = block?.endTime;
  const band = useMemo<Band | null>(
    () =>
      start && end
        ? {
            start: Date.parse(start) / 1000,
            end: Date.parse(end) / 1000,
            label: `current 5-hour block, ${formatTime(start)} to ${formatTime(end)}`,
          }
        : null,
    [start, end],
  );

  const controls = (
    <div className="flex flex-wrap gap-2">
      <SegmentedControl
        label="Bucket"
        value={bucket}
        onChange={setBucket}
        options={[
          { value: "hour", label: "Hourly" },
          { value: "day", label: "Daily" },
        ]}
      />
      <SegmentedControl
        label="Group"
        value={view}
        onChange={setView}
        options={[
          { value: "type", label: "By type" },
          { value: "model", label: "By model" },
        ]}
      />
      <ChartStyleToggle value={mode} onChange={setMode} />
    </div>
  );

  return (
    <Panel title={`Token usage, ${RANGES[bucket].label}`} actions={controls}>
      {usage.error && <ErrorNotice what="Could not load usage" error={usage.error} onRetry={usage.reload} />}
      {!data && !usage.error && <Loading what="usage" />}
      {data && isEmpty(data) && (
        <div
          data-testid="usage-empty"
          className="flex h-40 flex-col items-center justify-center rounded-md border border-dashed border-slate-300 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400"
        >
          <p className="font-medium">No token usage in the {RANGES[bucket].label}</p>
          <p className="mt-1 text-xs">The chart appears with the first billed response.</p>
        </div>
      )}
      {data && !isEmpty(data) && (
        <>
          <TimeChart
            data={data}
            stacked={mode === "stacked"}
            format={formatTokens}
            label={`Tokens per ${bucket}, ${RANGES[bucket].label}, by ${view}`}
            band={band}
          />
          <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
            Drag to zoom in, double-click to reset.{band && " The shaded span is the current 5-hour block."}
          </p>
        </>
      )}
    </Panel>
  );
}
