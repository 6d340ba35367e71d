import { useEffect } from "react";
import { api } from "../api/client";
import { useApi } from "../hooks/useApi";
import { useLive, useLiveDispatch } from "../live/LiveProvider";
import { ErrorNotice } from "./ErrorNotice";

/** A bar under the header while the server's catch-up scan of the transcripts runs. */
export function ScanProgress() {
  const health = useApi((signal) => api.health(signal), "health");
  const dispatch = useLiveDispatch();
  const { scan } = useLive();

  useEffect(() => {
    if (health.data) dispatch({ type: "health.scan", scan: health.data.scan });
  }, [health.data, dispatch]);

  if (health.error) {
    return (
      <div className="mx-auto max-w-7xl px-3 pt-3 sm:px-6">
        <ErrorNotice what="Server health check failed" error={health.error} onRetry={health.reload} />
      </div>
    );
  }
  if (!scan?.running) return null;
  const percent = scan.bytesTotal > 0 ? Math.min(100, (scan.bytesDone / scan.bytesTotal) * 100) : 0;
  return (
    <div
      data-testid="scan-progress"
      className="border-b border-sky-200 bg-sky-50 dark:border-sky-900 dark:bg-sky-950/50"
    >
      <div className="mx-auto flex max-w-7xl items-center gap-3 px-3 py-1.5 text-xs text-sky-900 sm:px-6 dark:text-sky-200">
        <span className="shrink-0">Scanning transcripts</span>
        <div
          role="progressbar"
          aria-label="Transcript scan"
          aria-valuemin={0}
          aria-valuemax={scan.bytesTotal}
          aria-valuenow={scan.bytesDone}
          className="h-1.5 min-w-0 flex-1 overflow-hidden rounded-full bg-sky-200 dark:bg-sky-900"
        >
          <div className="h-full rounded-full bg-sky-500 transition-[width]" style={{ width: `${percent}%` }} />
        </div>
        <span className="shrink-0 tabular-nums">
          {megabytes(scan.bytesDone)} / {megabytes(scan.bytesTotal)} MB
        </span>
      </div>
    </div>
  );
}

function megabytes(bytes: number): string {
  return (bytes / 1_000_000).toLocaleString("en-US", { maximumFractionDigits: 1 });
}
