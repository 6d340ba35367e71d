import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import type { TimelineItem } from "../api/types";
import { useLive } from "../live/LiveProvider";
import { useRefreshOn } from "./useRefreshOn";

const TIMELINE_PAGE_SIZE = 200;

interface TimelineState {
  items: TimelineItem[];
  /** null until the first page arrived */
  total: number | null;
  loading: boolean;
  error: Error | undefined;
}

export interface TimelinePages extends TimelineState {
  hasMore: boolean;
  loadMore: () => void;
}

/**
 * A session's timeline, oldest first, one page at a time. The next page is the one holding item
 * number `items.length + 1`; items already shown are skipped, so asking again for a page that has
 * grown only adds the new items. While everything is shown, it follows the session as it changes.
 */
export function useTimeline(sessionId: string, lastActivity: string | undefined): TimelinePages {
  const { generation } = useLive();
  const [state, setState] = useState<TimelineState>({ items: [], total: null, loading: true, error: undefined });
  const itemsRef = useRef(state.items);
  const request = useRef<AbortController | null>(null);

  useEffect(() => {
    itemsRef.current = state.items;
  }, [state.items]);

  const loadMore = useCallback(() => {
    request.current?.abort();
    const controller = new AbortController();
    request.current = controller;
    const page = Math.floor(itemsRef.current.length / TIMELINE_PAGE_SIZE) + 1;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    api.timeline(sessionId, page, TIMELINE_PAGE_SIZE, controller.signal).then(
      (answer) => {
        if (controller.signal.aborted) return;
        setState((s) => {
          const seen = new Set(s.items.map((item) => item.uuid));
          const added = answer.items.filter((item) => !seen.has(item.uuid));
          return { items: [...s.items, ...added], total: answer.total, loading: false, error: undefined };
        });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState((s) => ({ ...s, loading: false, error: error instanceof Error ? error : new Error(String(error)) }));
      },
    );
  }, [sessionId]);

  useEffect(() => () => request.current?.abort(), []);

  const atEnd = state.total === null || state.items.length >= state.total;
  const follow = useCallback(() => {
    if (atEnd) loadMore();
  }, [atEnd, loadMore]);

  // The first page, and the tail again after every reconnect.
  useEffect(follow, [generation]);
  useRefreshOn(lastActivity, follow, 2000);

  return { ...state, hasMore: !atEnd, loadMore };
}
