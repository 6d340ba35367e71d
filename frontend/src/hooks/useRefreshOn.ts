import { useEffect, useRef } from "react";

/**
 * Calls `refresh` when `signal` changes (not on mount), at most once per `minIntervalMs`: changes in
 * between are folded into one trailing call.
 */
export function useRefreshOn(signal: unknown, refresh: () => void, minIntervalMs: number): void {
  const seen = useRef(signal);
  const last = useRef(0);
  const refreshRef = useRef(refresh);

  useEffect(() => {
    refreshRef.current = refresh;
  });

  useEffect(() => {
    if (Object.is(seen.current, signal)) return;
    const wait = Math.max(0, last.current + minIntervalMs - Date.now());
    const timer = setTimeout(() => {
      seen.current = signal;
      last.current = Date.now();
      refreshRef.current();
    }, wait);
    return () => clearTimeout(timer);
  }, [signal, minIntervalMs]);
}
