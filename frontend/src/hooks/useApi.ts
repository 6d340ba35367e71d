import { useCallback, useEffect, useRef, useState } from "react";
import { useLive } from "../live/LiveProvider";

export interface ApiResult<T> {
  /** The latest answer for this key (kept while a reload is in flight). */
  data: T | undefined;
  /** `data` answers a previous key (only with `keepPrevious`) while this one loads. */
  stale: boolean;
  error: Error | undefined;
  reload: () => void;
}

interface Loaded<T> {
  dataKey: string | null;
  data: T | undefined;
  errorKey: string | null;
  error: Error | undefined;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Loads `load()` whenever `key` changes, after every reconnect of the live socket (updates may have
 * been missed) and on `reload()`.
 */
export function useApi<T>(
  load: (signal: AbortSignal) => Promise<T>,
  key: string,
  options: { keepPrevious?: boolean } = {},
): ApiResult<T> {
  const { generation } = useLive();
  const [nonce, setNonce] = useState(0);
  const [state, setState] = useState<Loaded<T>>({ dataKey: null, data: undefined, errorKey: null, error: undefined });
  const loadRef = useRef(load);

  useEffect(() => {
    loadRef.current = load;
  });

  useEffect(() => {
    const controller = new AbortController();
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ dataKey: key, data, errorKey: null, error: undefined });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ ...s, errorKey: key, error: asError(error) }));
      },
    );
    return () => controller.abort();
  }, [key, generation, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const current = state.dataKey === key;
  const shown = current || (options.keepPrevious ?? false);
  return {
    data: shown ? state.data : undefined,
    stale: !current && shown && state.data !== undefined,
    error: state.errorKey === key ? state.error : undefined,
    reload,
  };
}
