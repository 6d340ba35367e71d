// The Sessions page's full-text search: a box, and the matching prompts, answers, tool calls and titles.
import { useEffect, useState } from "react";
import { api } from "../api/client";
import type { SearchKind } from "../api/types";
import { formatDateTime, projectName } from "../format";
import { useApi } from "../hooks/useApi";
import { Link, sessionHref } from "../router";
import { ErrorNotice } from "./ErrorNotice";
import { Pagination } from "./Pagination";
import { SearchSnippet } from "./SearchSnippet";

const PAGE_SIZE = 20;
const KIND_LABELS: Record<SearchKind, string> = { prompt: "Prompt", answer: "Answer", tool: "Tool", title: "Title" };

/** The text typed, once it has not changed for `ms`. */
function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function SessionSearch() {
  const [text, setText] = useState("");
  const [page, setPage] = useState(1);
  const q = useDebounced(text.trim(), 300);
  useEffect(() => setPage(1), [q]);
  return (
    <section className="space-y-3" aria-label="Search the transcripts">
      <input
        type="search"
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder="Search prompts, answers, tool calls and titles…"
        aria-label="Search prompts, answers, tool calls and titles"
        maxLength={1000}
        className="w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900"
      />
      {q && <SearchResults q={q} page={page} onPage={setPage} />}
    </section>
  );
}

function SearchResults({ q, page, onPage }: { q: string; page: number; onPage: (page: number) => void }) {
  const result = useApi((signal) => api.search({ q, page, pageSize: PAGE_SIZE }, signal), `${q}\u0000${page}`, {
    keepPrevious: true,
  });
  if (result.error) return <ErrorNotice what="Could not search" error={result.error} onRetry={result.reload} />;
  if (!result.data) return <p className="text-sm text-slate-500">Searching…</p>;
  const { results, total } = result.data;
  return (
    <div className={`space-y-2 ${result.stale ? "opacity-60" : ""}`} aria-busy={result.stale}>
      <p className="text-sm text-slate-500 dark:text-slate-400">
        {total === 0 ? "No matches." : `${total} ${total === 1 ? "match" : "matches"}, newest first`}
      </p>
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800">
        {results.map((r, i) => (
          <li key={`${r.sessionId}-${r.kind}-${r.timestamp}-${i}`} className="px-3 py-2 text-sm">
            <div className="flex flex-wrap gap-x-3 text-xs text-slate-500 dark:text-slate-400">
              <span>{r.timestamp ? formatDateTime(r.timestamp) : "—"}</span>
              <span>{KIND_LABELS[r.kind]}</span>
              <span>{r.projectPath ? projectName(r.projectPath) : "—"}</span>
              <Link to={sessionHref(r.sessionId)} className="truncate text-sky-700 hover:underline dark:text-sky-400">
                {r.title || r.sessionId.slice(0, 8)}
              </Link>
            </div>
            <SearchSnippet snippet={r.snippet} />
          </li>
        ))}
      </ul>
      {total > PAGE_SIZE && <Pagination page={page} pageSize={PAGE_SIZE} total={total} onPage={onPage} />}
    </div>
  );
}
