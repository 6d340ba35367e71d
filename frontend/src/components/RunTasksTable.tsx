import { useState } from "react";
import type { RunTask } from "../api/types";
import { TABLE, TABLE_BOX, TBODY, TH, THEAD } from "./responsiveTable";
import { RunTaskRow } from "./RunTaskRow";

const HEADERS: readonly { label: string; right?: boolean }[] = [
  { label: "Task" },
  { label: "State" },
  { label: "Elapsed", right: true },
  { label: "Turns", right: true },
  { label: "Tokens", right: true },
  { label: "Cost", right: true },
  { label: "Last tool" },
];

interface RunTasksTableProps {
  runId: string;
  tasks: RunTask[];
  now: number;
  onStop?: (task: RunTask) => void;
  /** Tasks whose stop request is on its way. */
  stopping: ReadonlySet<string>;
}

export function RunTasksTable({ runId, tasks, now, onStop, stopping }: RunTasksTableProps) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = (id: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <div className={TABLE_BOX}>
      <table data-testid="task-table" className={`${TABLE} sm:min-w-[54rem]`}>
        <thead className={THEAD}>
          <tr>
            {HEADERS.map((h) => (
              <th key={h.label} scope="col" className={`${TH} whitespace-nowrap ${h.right ? "text-right" : ""}`}>
                {h.label}
              </th>
            ))}
            <th scope="col" className={TH}>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className={TBODY}>
          {tasks.map((task) => (
            <RunTaskRow
              key={task.id}
              task={task}
              runId={runId}
              now={now}
              expanded={expanded.has(task.id)}
              onToggle={() => toggle(task.id)}
              stopping={stopping.has(task.id)}
              {...(onStop ? { onStop } : {})}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
