import { useEffect, useRef, useState } from "react";
import type { SessionRow } from "../api/types";
import { formatAgo, projectName } from "../format";
import { useNow } from "../hooks/useNow";
import { useLive } from "../live/LiveProvider";
import type { LiveState } from "../live/reducer";
import {
  notificationsOn,
  notificationsSupported,
  notifyAlert,
  turnNotificationsOff,
  turnNotificationsOn,
} from "../live/notifications";
import { alertsAfter, isMuted, needsYou } from "../live/reducer";
import { Link, navigate, sessionHref } from "../router";
import { setNeedsCount } from "../title";
import { MuteButton } from "./MuteButton";
import { StateBadge } from "./StateBadge";

/** The "Needs you" strip on every page: blocked sessions first, then finished turns; the tab title counts them. */
export function NeedsYou() {
  const live = useLive();
  const rows = needsYou(live);
  const blocked = rows.filter((r) => r.state === "blocked");
  useAlertNotifications(live);
  useEffect(() => setNeedsCount(blocked.length), [blocked.length]);
  const now = useNow(15_000);
  return (
    <section
      aria-label="Needs you"
      data-testid="needs-you"
      className="border-b border-slate-200 bg-rose-50/60 dark:border-slate-800 dark:bg-rose-950/20"
      hidden={rows.length === 0}
    >
      <div className="mx-auto flex max-w-7xl items-center gap-2 overflow-x-auto px-3 py-1.5 sm:px-6">
        <span className="shrink-0 text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-300">
          Needs you
        </span>
        {rows.map((row) => (
          <NeedItem key={row.sessionId} row={row} now={now} muted={isMuted(live.mutes, row)} />
        ))}
      </div>
    </section>
  );
}

function NeedItem({ row, now, muted }: { row: SessionRow; now: number; muted: boolean }) {
  const what = row.state === "blocked" ? (row.blockedOn ?? "needs your approval") : "your turn";
  return (
    <div
      data-testid="needs-you-item"
      data-session={row.sessionId}
      data-muted={muted}
      className="flex max-w-xs shrink-0 items-center gap-1 rounded-md bg-white px-2 py-1 text-xs shadow-sm ring-1 ring-slate-200 hover:ring-slate-400 dark:bg-slate-900 dark:ring-slate-700"
    >
      <Link to={sessionHref(row.sessionId)} className="flex min-w-0 items-center gap-1.5">
        <StateBadge state={row.state} />
        <span className="truncate font-medium">{projectName(row.projectPath)}</span>
        <span className="truncate text-slate-600 dark:text-slate-400" title={what}>
          {what}
        </span>
        {row.stateSince && <span className="shrink-0 text-slate-500">{formatAgo(row.stateSince, now)}</span>}
      </Link>
      <MuteButton kind="session" value={row.sessionId} compact />
    </div>
  );
}

/** Turns browser notifications on (asking the browser's permission then, never on load) or off. */
export function NotificationToggle() {
  const [on, setOn] = useState(notificationsOn);
  if (!notificationsSupported()) return null;
  const toggle = async () => {
    if (on) {
      turnNotificationsOff();
      setOn(false);
    } else {
      setOn(await turnNotificationsOn());
    }
  };
  return (
    <button
      type="button"
      onClick={() => void toggle()}
      data-testid="notifications-toggle"
      aria-pressed={on}
      className="shrink-0 rounded-md px-2 py-1 text-xs text-slate-600 ring-1 ring-slate-300 hover:bg-white dark:text-slate-300 dark:ring-slate-700 dark:hover:bg-slate-900"
    >
      {on ? "Notifications on" : "Notify me"}
    </button>
  );
}

/** A browser notification for each alert the server sends while the page is open (muted ones never come). */
function useAlertNotifications(live: LiveState): void {
  const shown = useRef(live.alerts.seq);
  useEffect(() => {
    for (const alert of alertsAfter(live, shown.current)) notifyAlert(alert, navigate);
    shown.current = live.alerts.seq;
  }, [live]);
}
