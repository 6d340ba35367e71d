import { usePageTitle } from "../hooks/usePageTitle";
import { Link } from "../router";

export function NotFound() {
  usePageTitle("Not found");
  return (
    <div className="py-16 text-center">
      <h1 className="text-xl font-semibold">Page not found</h1>
      <p className="mt-2 text-sm text-slate-500 dark:text-slate-400">
        <Link to="/" className="text-sky-700 hover:underline dark:text-sky-400">
          Back to the overview
        </Link>
      </p>
    </div>
  );
}
