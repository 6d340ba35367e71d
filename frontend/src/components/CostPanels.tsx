import type { Summary } from "../api/types";
import type { CostShare } from "../charts/series";
import { projectName } from "../format";
import { CostBars } from "./CostBars";
import { Loading } from "./Loading";
import { Panel } from "./Panel";

const DAYS = 30;

interface CostPanelProps {
  title: string;
  /** null until the first summary arrives. */
  shares: CostShare[] | null;
  name?: (key: string) => string;
}

function CostPanel({ title, shares, name }: CostPanelProps) {
  return (
    <Panel title={`${title}, last ${DAYS} days`}>
      {shares ? <CostBars shares={shares} {...(name ? { name } : {})} /> : <Loading what="costs" />}
    </Panel>
  );
}

/**
 * Cost by model and by project over the summary's `month` range. They come with every summary, which the live
 * socket pushes after each change, so they are as fresh as the totals above them: no fetch of their own.
 */
export function CostPanels({ summary }: { summary: Summary | null }) {
  const byModel = summary?.costByModel.map((r) => ({ key: r.model, costUSD: r.costUSD, totalTokens: r.totalTokens }));
  const byProject = summary?.costByProject.map((r) => ({
    key: r.projectPath,
    costUSD: r.costUSD,
    totalTokens: r.totalTokens,
  }));
  return (
    <div className="grid gap-4 lg:grid-cols-2" data-testid="cost-panels">
      <CostPanel title="Cost by model" shares={byModel ?? null} />
      <CostPanel title="Cost by project" shares={byProject ?? null} name={projectName} />
    </div>
  );
}
