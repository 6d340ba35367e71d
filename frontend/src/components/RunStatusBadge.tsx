import { type StatusLook, runStatusLook, taskStatusLook } from "../runs/status";

function StatusBadge({ look, status, testId }: { look: StatusLook; status: string; testId?: string | undefined }) {
  return (
    <span
      data-testid={testId}
      data-status={status}
      className={`inline-flex shrink-0 items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ${look.badge}`}
    >
      <span aria-hidden="true" className={`size-1.5 rounded-full ${look.dot}`} />
      {look.label}
    </span>
  );
}

export function TaskStatusBadge({ status, testId }: { status: string; testId?: string }) {
  return <StatusBadge look={taskStatusLook(status)} status={status} testId={testId} />;
}

export function RunStatusBadge({ status, testId }: { status: string; testId?: string }) {
  return <StatusBadge look={runStatusLook(status)} status={status} testId={testId} />;
}
