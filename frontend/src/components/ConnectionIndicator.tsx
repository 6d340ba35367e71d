import { useLive } from "../live/LiveProvider";

const STYLES = {
  live: { dot: "bg-emerald-500", text: "text-emerald-700 dark:text-emerald-300" },
  reconnecting: { dot: "bg-amber-500 animate-pulse", text: "text-amber-700 dark:text-amber-300" },
  offline: { dot: "bg-rose-500", text: "text-rose-700 dark:text-rose-300" },
} as const;

export function ConnectionIndicator() {
  const { connection, connectedOnce } = useLive();
  const label =
    connection === "live"
      ? "Live"
      : connection === "offline"
        ? "Offline"
        : connectedOnce
          ? "Reconnecting…"
          : "Connecting…";
  const title =
    connection === "live"
      ? "Receiving live updates from the ccdeck server"
      : connection === "offline"
        ? "Cannot reach the ccdeck server; still retrying"
        : "Connection lost; retrying";
  return (
    <span
      data-testid="connection"
      data-state={connection}
      role="status"
      title={title}
      className={`inline-flex items-center gap-1.5 text-xs font-medium whitespace-nowrap ${STYLES[connection].text}`}
    >
      <span aria-hidden="true" className={`size-2 rounded-full ${STYLES[connection].dot}`} />
      {label}
    </span>
  );
}
