import { useEffect, useMemo, useRef } from "react";
import { api } from "../api/client";
import type { Run } from "../api/types";
import { useLive } from "../live/LiveProvider";
import { currentRun, currentRuns } from "../live/reducer";
import { isRunActive } from "../runs/status";
import { useApi } from "./useApi";

/** While the socket is down, live updates stop: poll instead, as long as `active` holds. */
const POLL_MS = 5000;

function usePollWhile(active: boolean, reload: () => void): void {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [active, reload]);
}

/** `runSeq.last` as of the last render, read by loaders when a fetch starts. */
function useRunSeqRef(): { readonly current: number } {
  const { runSeq } = useLive();
  const ref = useRef(runSeq.last);
  useEffect(() => {
    ref.current = runSeq.last;
  });
  return ref;
}

export interface RunsResult {
  runs: Run[] | undefined;
  error: Error | undefined;
  reload: () => void;
}

/** The latest runs, newest first, fetched once and then kept current by `run.updated`. */
export function useRuns(limit = 50): RunsResult {
  const seq = useRunSeqRef();
  const live = useLive();
  const result = useApi(async (signal) => {
    const fetchedAt = seq.current;
    const answer = await api.runs({ limit }, signal);
    return { fetchedAt, runs: answer.runs };
  }, `runs:${limit}`);
  const { data } = result;
  const runs = useMemo(() => (data ? currentRuns(live, data.runs, data.fetchedAt) : undefined), [data, live]);
  usePollWhile(live.connection !== "live" && (runs ?? []).some(isRunActive), result.reload);
  return { runs, error: result.error, reload: result.reload };
}

export interface RunResult {
  run: Run | undefined;
  error: Error | undefined;
  reload: () => void;
}

/** One run, fetched and then kept current by `run.updated`. */
export function useRun(id: string): RunResult {
  const seq = useRunSeqRef();
  const live = useLive();
  const result = useApi(async (signal) => {
    const fetchedAt = seq.current;
    const answer = await api.run(id, signal);
    return { fetchedAt, run: answer.run };
  }, `run:${id}`);
  const { data } = result;
  const run = currentRun(live, id, data?.run, data?.fetchedAt ?? 0);
  usePollWhile(live.connection !== "live" && run !== undefined && isRunActive(run), result.reload);
  return { run, error: result.error, reload: result.reload };
}
