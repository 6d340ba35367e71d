import { useMemo, useState } from "react";
import type { TokensAt } from "../api/types";
import { cumulativeTokens } from "../charts/series";
import { formatTokens } from "../format";
import { Panel } from "./Panel";
import { type ChartStyle, ChartStyleToggle } from "./ChartStyleToggle";
import { TimeChart } from "./TimeChart";

export function SessionTokensChart({ points }: { points: TokensAt[] }) {
  const [mode, setMode] = useState<ChartStyle>("stacked");
  const data = useMemo(() => cumulativeTokens(points), [points]);
  const controls = <ChartStyleToggle value={mode} onChange={setMode} />;
  return (
    <Panel title="Tokens over time (cumulative)" actions={controls}>
      {points.length === 0 ? (
        <p className="py-6 text-center text-sm text-slate-500 dark:text-slate-400">No billed responses yet.</p>
      ) : (
        <TimeChart data={data} stacked={mode === "stacked"} format={formatTokens} label="Cumulative tokens by type" />
      )}
    </Panel>
  );
}
