import { api } from "../api/client";
import type { Summary } from "../api/types";
import { ActiveSessions } from "../components/ActiveSessions";
import { BlockTile } from "../components/BlockTile";
import { CostPanels } from "../components/CostPanels";
import { ErrorNotice } from "../components/ErrorNotice";
import { Loading } from "../components/Loading";
import { SummaryTotals } from "../components/SummaryTotals";
import { UsagePanel } from "../components/UsagePanel";
import { useApi } from "../hooks/useApi";
import { usePageTitle } from "../hooks/usePageTitle";
import { useLive } from "../live/LiveProvider";
import { activeSessions } from "../live/reducer";

function newest(a: Summary | null, b: Summary | undefined): Summary | null {
  if (!b) return a;
  if (!a) return b;
  return Date.parse(b.generatedAt) > Date.parse(a.generatedAt) ? b : a;
}

export function Overview() {
  usePageTitle("Overview");
  const live = useLive();
  const fetched = useApi((signal) => api.summary(signal), "summary");
  const summary = newest(live.summary, fetched.data);

  return (
    <div className="space-y-4">
      {summary ? (
        <SummaryTotals summary={summary} />
      ) : fetched.error ? (
        <ErrorNotice what="Could not load totals" error={fetched.error} onRetry={fetched.reload} />
      ) : (
        <Loading what="totals" />
      )}
      {summary && <BlockTile block={summary.block} rateLimits={summary.rateLimits} />}
      <ActiveSessions sessions={activeSessions(live)} ready={live.hasSnapshot} />
      <UsagePanel block={summary?.block ?? null} />
      <CostPanels summary={summary} />
    </div>
  );
}
