import { api } from "../api/client";
import { costByKey } from "../charts/series";
import { localDate, projectName } from "../format";
import { useApi } from "../hooks/useApi";
import { useRefreshOn } from "../hooks/useRefreshOn";
import { useLive } from "../live/LiveProvider";
import { CostBars } from "./CostBars";
import { ErrorNotice } from "./ErrorNotice";
import { Loading } from "./Loading";
import { Panel } from "./Panel";

const DAYS = 30;

function CostPanel({ group, title }: { group: "model" | "project"; title: string }) {
  const usage = useApi(
    (signal) => api.usage({ bucket: "day", group, since: localDate(new Date(), DAYS - 1) }, signal),
    `cost:${group}`,
  );
  // Totals changed: costs did too (refetched at most every 30 s).
  useRefreshOn(useLive().summary?.generatedAt, usage.reload, 30_000);
  return (
    <Panel title={`${title}, last ${DAYS} days`}>
      {usage.error && <ErrorNotice what="Could not load costs" error={usage.error} onRetry={usage.reload} />}
      {!usage.data && !usage.error && <Loading what="costs" />}
      {usage.data && (
        <CostBars shares={costByKey(usage.data.points)} {...(group === "project" ? { name: projectName } : {})} />
      )}
    </Panel>
  );
}

export function CostPanels() {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <CostPanel group="model" title="Cost by model" />
      <CostPanel group="project" title="Cost by project" />
    </div>
  );
}
