import { Header } from "./components/Header";
import { NeedsYou } from "./components/NeedsYou";
import { ScanProgress } from "./components/ScanProgress";
import { LiveProvider } from "./live/LiveProvider";
import { NotFound } from "./pages/NotFound";
import { Overview } from "./pages/Overview";
import { Projects } from "./pages/Projects";
import { RunPage } from "./pages/Run";
import { Runs } from "./pages/Runs";
import { Session } from "./pages/Session";
import { Sessions } from "./pages/Sessions";
import { matchRoute, useLocation } from "./router";
import { ThemeProvider } from "./theme";

function Page() {
  const { pathname, search } = useLocation();
  const route = matchRoute(pathname);
  switch (route.name) {
    case "overview":
      return <Overview />;
    case "sessions":
      return <Sessions search={search} />;
    case "session":
      return <Session key={route.id} id={route.id} />;
    case "projects":
      return <Projects />;
    case "runs":
      return <Runs />;
    case "run":
      return <RunPage key={route.id} id={route.id} />;
    case "notFound":
      return <NotFound />;
  }
}

export function App() {
  return (
    <ThemeProvider>
      <LiveProvider>
        <div className="min-h-screen overflow-x-clip">
          <Header />
          <NeedsYou />
          <ScanProgress />
          <main className="mx-auto max-w-7xl px-3 py-4 sm:px-6 sm:py-6">
            <Page />
          </main>
        </div>
      </LiveProvider>
    </ThemeProvider>
  );
}
