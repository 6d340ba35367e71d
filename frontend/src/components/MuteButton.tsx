import { useState } from "react";
import { api } from "../api/client";
import type { MuteKind } from "../api/types";
import { useLive } from "../live/LiveProvider";

/** Mutes or unmutes a session or a project: it still shows everywhere, but sends no alert or notification. */
export function MuteButton({ kind, value, compact = false }: { kind: MuteKind; value: string; compact?: boolean }) {
  const { mutes } = useLive();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const muted = (kind === "session" ? mutes.sessions : mutes.projects).includes(value);
  const label = muted ? `Unmute ${kind}` : `Mute ${kind}`;
  const toggle = async () => {
    setBusy(true);
    setFailed(null);
    try {
      await (muted ? api.unmute(kind, value) : api.mute(kind, value));
    } catch (error) {
      setFailed(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      onClick={() => void toggle()}
      disabled={busy}
      aria-pressed={muted}
      aria-label={label}
      title={failed ?? (muted ? `No alerts from this ${kind}; click to unmute` : `Send no alerts for this ${kind}`)}
      data-testid={`mute-${kind}`}
      className="shrink-0 rounded-md px-1.5 py-0.5 text-xs text-slate-600 ring-1 ring-slate-300 hover:bg-white disabled:opacity-50 dark:text-slate-300 dark:ring-slate-700 dark:hover:bg-slate-900"
    >
      {compact ? (muted ? "🔕" : "🔔") : label}
    </button>
  );
}
