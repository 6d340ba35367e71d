export function Loading({ what }: { what: string }) {
  return (
    <p className="py-6 text-center text-sm text-slate-500 dark:text-slate-400" aria-busy="true">
      Loading {what}…
    </p>
  );
}
