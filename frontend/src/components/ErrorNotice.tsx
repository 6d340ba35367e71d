interface ErrorNoticeProps {
  error: Error;
  /** What failed, e.g. "Could not load sessions". */
  what: string;
  onRetry?: () => void;
}

export function ErrorNotice({ error, what, onRetry }: ErrorNoticeProps) {
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-md border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:border-rose-800 dark:bg-rose-950/60 dark:text-rose-200"
    >
      <span className="font-medium">{what}:</span>
      <span className="min-w-0 break-words">{error.message}</span>
      {onRetry && (
        <button
          type="button"
          onClick={onRetry}
          className="ml-auto rounded border border-rose-400 px-2 py-0.5 text-xs font-medium hover:bg-rose-100 dark:border-rose-700 dark:hover:bg-rose-900"
        >
          Retry
        </button>
      )}
    </div>
  );
}
