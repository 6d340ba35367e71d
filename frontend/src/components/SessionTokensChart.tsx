import { useMemo, useState } from "react";
import type { TokensAt } from "../api/types";
import { sessionTokens } from "../charts/window";
import { formatTokens } from "../format";
import { Panel } from "./Panel";
import { type ChartStyle, ChartStyleToggle } from "./ChartStyleToggle";
import { TimeChart } from "./TimeChart";

/** `first` and `last`: the session's first and last activity (ISO); the chart spans them. */
export function SessionTokensChart({
  points,
  first,
  last,
}: {
  points: TokensAt[];
  first: string | null;
  last: string | null;
}) {
  const [mode, setMode] = useState<ChartStyle>("stacked");
  const data = useMemo(() => {
    const from = Date.parse(first ?? "") / 1000;
    const to = Date.parse(last ?? "") / 1000;
    const ts = points.map((p) => p.t);
    return sessionTokens(
      points,
      Number.isFinite(from) ? from : Math.min(...ts),
      Number.isFinite(to) ? to : Math.max(...ts),
    );
  }, [points, first, last]);
  const controls = <ChartStyleToggle value={mode} onChange={setMode} />;
  return (
    <Panel title="Tokens over time (cumulative)" actions={controls}>
      {points.length === 0 ? (
        <p className="py-6 text-center text-sm text-slate-500 dark:text-slate-400">No billed responses yet.</p>
      ) : (
        <TimeChart
          data={data}
          stacked={mode === "stacked"}
          format={formatTokens}
          idle="last"
          label="Cumulative tokens by type"
        />
      )}
    </Panel>
  );
}
