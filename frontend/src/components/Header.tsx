import { Link, useLocation } from "../router";
import { ConnectionIndicator } from "./ConnectionIndicator";
import { NotificationToggle } from "./NeedsYou";
import { ThemeToggle } from "./ThemeToggle";

const NAV = [
  { to: "/", label: "Overview", active: (path: string) => path === "/" },
  { to: "/sessions", label: "Sessions", active: (path: string) => path.startsWith("/sessions") },
  { to: "/projects", label: "Projects", active: (path: string) => path.startsWith("/projects") },
  { to: "/runs", label: "Runs", active: (path: string) => path.startsWith("/runs") },
] as const;

export function Header() {
  const { pathname } = useLocation();
  return (
    <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-900/90">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-1 px-3 py-2 sm:px-6">
        <Link to="/" className="text-base font-bold tracking-tight">
          ccdeck
        </Link>
        <nav aria-label="Main" className="order-last -mx-1 flex w-full gap-1 sm:order-none sm:w-auto">
          {NAV.map((item) => {
            const active = item.active(pathname);
            return (
              <Link
                key={item.to}
                to={item.to}
                aria-current={active ? "page" : undefined}
                className={`rounded-md px-2 py-1 text-sm font-medium ${
                  active
                    ? "bg-slate-100 text-slate-900 dark:bg-slate-800 dark:text-white"
                    : "text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white"
                }`}
              >
                {item.label}
              </Link>
            );
          })}
        </nav>
        <div className="ml-auto flex items-center gap-3">
          <ConnectionIndicator />
          <NotificationToggle />
          <ThemeToggle />
        </div>
      </div>
    </header>
  );
}
