import type { ReactNode } from "react";
import type { SessionDetail, SessionRow } from "../api/types";
import { formatCost, formatDateTime, formatDuration, formatInteger } from "../format";
import { Panel } from "./Panel";
import { TokenCount } from "./TokenCount";

function Fact({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={`min-w-0 ${wide ? "col-span-2 sm:col-span-3 lg:col-span-4" : ""}`}>
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="break-words font-medium tabular-nums">{children}</dd>
    </div>
  );
}

export function SessionFacts({ session, detail }: { session: SessionRow; detail: SessionDetail }) {
  return (
    <Panel>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-3 text-sm sm:grid-cols-3 lg:grid-cols-4">
        <Fact label="Project" wide>
          <span className="font-mono text-xs break-all">{session.projectPath}</span>
        </Fact>
        {detail.cwd && detail.cwd !== session.projectPath && (
          <Fact label="Working directory" wide>
            <span className="font-mono text-xs break-all">{detail.cwd}</span>
          </Fact>
        )}
        <Fact label="Tokens">
          <TokenCount tokens={session.totalTokens} />
        </Fact>
        <Fact label="Cost">
          {formatCost(session.costUSD)}
          {session.unpricedModels.length > 0 && (
            <span className="block text-xs font-normal text-amber-700 dark:text-amber-300">
              unpriced: {session.unpricedModels.join(", ")}
            </span>
          )}
        </Fact>
        <Fact label="Branch">{session.gitBranch ?? "—"}</Fact>
        <Fact label="Claude Code version">{session.version ?? "—"}</Fact>
        <Fact label="Models">{session.models.join(", ") || "—"}</Fact>
        <Fact label="First activity">{formatDateTime(session.firstActivity)}</Fact>
        <Fact label="Last activity">{formatDateTime(session.lastActivity)}</Fact>
        <Fact label="Duration">{formatDuration(session.durationSeconds)}</Fact>
        <Fact label="Prompts">{formatInteger(session.prompts)}</Fact>
        <Fact label="Responses">{formatInteger(session.responses)}</Fact>
        <Fact label="Tool uses">{formatInteger(session.toolUses)}</Fact>
        <Fact label="API errors">
          <span className={session.apiErrors > 0 ? "text-rose-700 dark:text-rose-300" : ""}>{session.apiErrors}</span>
        </Fact>
        <Fact label="Compactions">{session.compactions}</Fact>
        <Fact label="Subagents">{session.subagents}</Fact>
        {detail.entrypoint && <Fact label="Entry point">{detail.entrypoint}</Fact>}
        {(session.userEmail ?? session.userAccount) && (
          <Fact label="User">{session.userEmail ?? session.userAccount}</Fact>
        )}
        {session.host && <Fact label="Host">{session.host}</Fact>}
        {session.source === "telemetry" ? (
          <Fact label="Source">OpenTelemetry only (no transcript read)</Fact>
        ) : (
          <Fact label="Config dir">
            <span className="font-mono text-xs break-all">{session.configDir}</span>
          </Fact>
        )}
      </dl>
    </Panel>
  );
}
