import { useEffect, useState } from "react";
import { ApiError, api } from "../api/client";
import type { LogStream } from "../api/types";
import { useRefreshOn } from "../hooks/useRefreshOn";
import { SegmentedControl } from "./SegmentedControl";

const TAIL = 200;

interface LogState {
  lines: string[] | null;
  error: Error | null;
  loading: boolean;
}

/** The last lines of a task's stderr or stream-json events, as plain text. */
export function TaskLog({ runId, taskId, changed }: { runId: string; taskId: string; changed?: unknown }) {
  const [stream, setStream] = useState<LogStream>("stderr");
  const [nonce, setNonce] = useState(0);
  const [state, setState] = useState<LogState>({ lines: null, error: null, loading: true });

  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    api.taskLog(runId, taskId, stream, TAIL, controller.signal).then(
      (answer) => {
        if (!controller.signal.aborted) setState({ lines: answer.lines, error: null, loading: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState({ lines: null, error: error instanceof Error ? error : new Error(String(error)), loading: false });
      },
    );
    return () => controller.abort();
  }, [runId, taskId, stream, nonce]);

  // While the task runs, follow it: re-read when it reports progress.
  useRefreshOn(changed, () => setNonce((n) => n + 1), 3000);

  const missing = state.error instanceof ApiError && state.error.status === 404;
  return (
    <div className="min-w-0 space-y-1.5">
      <div className="flex flex-wrap items-center gap-2">
        <SegmentedControl
          label="Log"
          value={stream}
          onChange={setStream}
          options={[
            { value: "stderr", label: "stderr" },
            { value: "events", label: "events" },
          ]}
        />
        <button
          type="button"
          onClick={() => setNonce((n) => n + 1)}
          disabled={state.loading}
          className="rounded-md border border-slate-300 px-2 py-0.5 text-xs font-medium hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          {state.loading ? "Loading…" : "Refresh"}
        </button>
        <span className="text-xs text-slate-500 dark:text-slate-400">last {TAIL} lines</span>
      </div>
      {state.error && !missing && (
        <p role="alert" className="text-xs break-words text-rose-700 dark:text-rose-300">
          Could not load the {stream} log: {state.error.message}
        </p>
      )}
      <pre
        data-testid="task-log"
        data-stream={stream}
        className="max-h-80 overflow-auto rounded-md bg-slate-100 p-2 font-mono text-xs leading-relaxed whitespace-pre-wrap [overflow-wrap:anywhere] text-slate-800 dark:bg-slate-950 dark:text-slate-200"
      >
        {missing
          ? `No ${stream} log yet.`
          : state.lines === null
            ? state.loading
              ? "Loading…"
              : ""
            : state.lines.length === 0
              ? `(the ${stream} log is empty)`
              : state.lines.join("\n")}
      </pre>
    </div>
  );
}
