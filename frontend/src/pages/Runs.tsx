import { usePageTitle } from "../hooks/usePageTitle";

export function Runs() {
  usePageTitle("Runs");
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Runs</h1>
      <div
        data-testid="runs-empty"
        className="rounded-lg border border-dashed border-slate-300 px-4 py-10 text-center dark:border-slate-700"
      >
        <p className="font-medium">No runs yet</p>
        <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">
          Runs appear here once started with{" "}
          <code className="rounded bg-slate-100 px-1 font-mono dark:bg-slate-800">ccdeck run</code>.
        </p>
      </div>
    </div>
  );
}
