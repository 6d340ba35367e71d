import { type AnchorHTMLAttributes, type MouseEvent, useMemo, useSyncExternalStore } from "react";

// A small History API router: the server answers every non-API path with index.html.

const NAVIGATE_EVENT = "ccdeck:navigate";

export type Route =
  | { name: "overview" }
  | { name: "sessions" }
  | { name: "session"; id: string }
  | { name: "projects" }
  | { name: "runs" }
  | { name: "run"; id: string }
  | { name: "notFound" };

export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  if (path === "/") return { name: "overview" };
  if (path === "/sessions") return { name: "sessions" };
  if (path === "/projects") return { name: "projects" };
  if (path === "/runs") return { name: "runs" };
  const session = /^\/sessions\/([^/]+)$/.exec(path);
  if (session?.[1]) {
    try {
      return { name: "session", id: decodeURIComponent(session[1]) };
    } catch {
      return { name: "notFound" };
    }
  }
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run?.[1]) {
    try {
      return { name: "run", id: decodeURIComponent(run[1]) };
    } catch {
      return { name: "notFound" };
    }
  }
  return { name: "notFound" };
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

function currentHref(): string {
  return window.location.pathname + window.location.search;
}

export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(subscribe, currentHref);
  return useMemo(() => {
    const url = new URL(href, window.location.origin);
    return { pathname: url.pathname, search: url.search };
  }, [href]);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentHref()) return;
  if (options.replace) {
    window.history.replaceState(null, "", to);
  } else {
    window.history.pushState(null, "", to);
    window.scrollTo(0, 0);
  }
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

export function sessionHref(sessionId: string): string {
  return `/sessions/${encodeURIComponent(sessionId)}`;
}

export function runHref(runId: string): string {
  return `/runs/${encodeURIComponent(runId)}`;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: string };

/** An ordinary link that navigates without a page load (modifier clicks still open new tabs). */
export function Link({ to, onClick, ...props }: LinkProps) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      (props.target && props.target !== "_self")
    ) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handleClick} {...props} />;
}
