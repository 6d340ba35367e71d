import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import type { TimelineItem } from "../api/types";
import { useLive } from "../live/LiveProvider";
import { useRefreshOn } from "./useRefreshOn";

const TIMELINE_PAGE_SIZE = 200;

interface TimelineState {
  /** Oldest first: always the newest part of the timeline, from some item to the latest. */
  items: TimelineItem[];
  /** null until the first page arrived */
  total: number | null;
  loading: boolean;
  error: Error | undefined;
}

export interface TimelinePages extends TimelineState {
  /** Older items than those shown exist. */
  hasEarlier: boolean;
  loadEarlier: () => void;
  /** Fetch what was added after the newest item shown (the live row says when). */
  follow: () => void;
}

function byTime(a: TimelineItem, b: TimelineItem): number {
  return a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;
}

/** `items` plus those of `added` not already there, oldest first. */
export function mergeItems(items: readonly TimelineItem[], added: readonly TimelineItem[]): TimelineItem[] {
  const seen = new Set(items.map((item) => item.uuid));
  const fresh = added.filter((item) => !seen.has(item.uuid));
  if (fresh.length === 0) return items as TimelineItem[];
  return [...items, ...fresh].sort(byTime);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * A session's timeline: its latest page first, earlier pages on demand, and new items as the session changes
 * (fetched with an `after` cursor at the newest item shown, so only the tail travels).
 */
export function useTimeline(sessionId: string, lastActivity: string | undefined): TimelinePages {
  const { generation } = useLive();
  const [state, setState] = useState<TimelineState>({ items: [], total: null, loading: true, error: undefined });
  const itemsRef = useRef(state.items);
  const earlier = useRef<AbortController | null>(null);
  const tail = useRef<AbortController | null>(null);

  useEffect(() => {
    itemsRef.current = state.items;
  }, [state.items]);

  const settle = useCallback((added: TimelineItem[], total: number) => {
    setState((s) => ({ items: mergeItems(s.items, added), total, loading: false, error: undefined }));
  }, []);
  const fail = useCallback((error: unknown) => {
    setState((s) => ({ ...s, loading: false, error: asError(error) }));
  }, []);

  const loadEarlier = useCallback(() => {
    earlier.current?.abort();
    const controller = new AbortController();
    earlier.current = controller;
    // Newest first, the page holding the first item not shown yet; items already shown are dropped.
    const page = Math.floor(itemsRef.current.length / TIMELINE_PAGE_SIZE) + 1;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    api.timeline(sessionId, { page, pageSize: TIMELINE_PAGE_SIZE, order: "desc" }, controller.signal).then(
      (answer) => controller.signal.aborted || settle(answer.items, answer.total),
      (error: unknown) => controller.signal.aborted || fail(error),
    );
  }, [sessionId, settle, fail]);

  const follow = useCallback(() => {
    const newest = itemsRef.current.at(-1);
    if (!newest) {
      loadEarlier();
      return;
    }
    tail.current?.abort();
    const controller = new AbortController();
    tail.current = controller;
    const fetchFrom = async (page: number): Promise<void> => {
      const query = { page, pageSize: TIMELINE_PAGE_SIZE, after: newest.timestamp };
      const answer = await api.timeline(sessionId, query, controller.signal);
      if (controller.signal.aborted) return;
      settle(answer.items, answer.total);
      if (answer.items.length === TIMELINE_PAGE_SIZE) await fetchFrom(page + 1);
    };
    fetchFrom(1).catch((error: unknown) => controller.signal.aborted || fail(error));
  }, [sessionId, loadEarlier, settle, fail]);

  useEffect(
    () => () => {
      earlier.current?.abort();
      tail.current?.abort();
    },
    [],
  );

  // The latest page, and the tail again after every reconnect.
  useEffect(follow, [generation]);
  useRefreshOn(lastActivity, follow, 1000);

  const hasEarlier = state.total !== null && state.items.length < state.total;
  return { ...state, hasEarlier, loadEarlier, follow };
}
