import { Suspense, lazy, useState } from "react";
import type { TimelineItem, TimelineKind } from "../api/types";
import { formatDateTime, formatTime } from "../format";

// The markdown renderer is loaded with the first answer shown, not with the dashboard.
const Markdown = lazy(() => import("./Markdown").then((m) => ({ default: m.Markdown })));

const KIND_LABELS: Record<TimelineKind, string> = {
  prompt: "Prompt",
  answer: "Answer",
  thinking: "Thinking",
  tool_use: "Tool call",
  tool_result: "Tool result",
  system: "System",
  api_error: "API error",
  compaction: "Compaction",
};

const KIND_STYLES: Record<TimelineKind, string> = {
  prompt: "border-sky-400 bg-sky-50 dark:border-sky-500 dark:bg-sky-950/40",
  answer: "border-emerald-400 bg-white dark:border-emerald-600 dark:bg-slate-900",
  thinking: "border-violet-300 bg-white dark:border-violet-700 dark:bg-slate-900",
  tool_use: "border-slate-300 bg-slate-50 dark:border-slate-600 dark:bg-slate-900/60",
  tool_result: "border-slate-300 bg-slate-50 dark:border-slate-600 dark:bg-slate-900/60",
  system: "border-slate-200 bg-transparent dark:border-slate-700",
  api_error: "border-rose-400 bg-rose-50 dark:border-rose-600 dark:bg-rose-950/40",
  compaction: "border-amber-400 bg-amber-50 dark:border-amber-600 dark:bg-amber-950/30",
};

/** Kinds shown as a one-line summary until clicked. */
const COLLAPSED_KINDS: ReadonlySet<TimelineKind> = new Set(["thinking", "tool_use", "tool_result"]);

const SUMMARY_CHARS = 160;

function summaryLine(text: string): string {
  const line =
    text
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? "";
  return line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS)}…` : line;
}

function Body({ item, mono }: { item: TimelineItem; mono: boolean }) {
  if (item.kind === "answer") {
    // Answers are markdown: rendered as elements, with any HTML in them kept as text (see Markdown).
    return (
      <div className="mt-1">
        <Suspense fallback={<div className="text-sm whitespace-pre-wrap break-words">{item.text}</div>}>
          <Markdown text={item.text} />
        </Suspense>
        {item.truncated && (
          <span className="mt-1 block text-xs italic text-slate-500 dark:text-slate-400">(shortened by the server)</span>
        )}
      </div>
    );
  }
  // Other transcript text goes into the DOM as a text node only: markup in it shows as typed.
  return (
    <div
      className={`mt-1 whitespace-pre-wrap break-words [overflow-wrap:anywhere] ${mono ? "font-mono text-xs leading-relaxed" : "text-sm"}`}
    >
      {item.text}
      {item.truncated && (
        <span className="mt-1 block text-xs italic text-slate-500 dark:text-slate-400">(shortened by the server)</span>
      )}
    </div>
  );
}

/** One item of a session's timeline: prompts and answers in full, tool calls and results folded. */
export function TimelineEntry({ item }: { item: TimelineItem }) {
  const collapsible = COLLAPSED_KINDS.has(item.kind);
  const [open, setOpen] = useState(false);
  const error = item.isError || item.kind === "api_error";
  const label = (
    <>
      <span className={`font-semibold ${error ? "text-rose-700 dark:text-rose-300" : ""}`}>
        {KIND_LABELS[item.kind]}
        {item.toolName ? ` · ${item.toolName}` : ""}
        {item.isError && item.kind !== "api_error" ? " · error" : ""}
      </span>
      {item.agentId && (
        <span
          className="rounded bg-violet-100 px-1 text-[11px] text-violet-800 dark:bg-violet-900/60 dark:text-violet-200"
          title={`Subagent ${item.agentId}`}
        >
          subagent
        </span>
      )}
      <time
        dateTime={item.timestamp}
        title={formatDateTime(item.timestamp)}
        className="ml-auto shrink-0 tabular-nums text-slate-500 dark:text-slate-400"
      >
        {formatTime(item.timestamp)}
      </time>
    </>
  );

  return (
    <li
      data-testid="timeline-item"
      data-kind={item.kind}
      data-uuid={item.uuid}
      className={`min-w-0 rounded-r-md border-l-4 px-3 py-2 ${KIND_STYLES[item.kind]} ${item.isError ? "ring-1 ring-rose-300 dark:ring-rose-800" : ""}`}
    >
      {collapsible ? (
        <button
          type="button"
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
          className="flex w-full min-w-0 flex-wrap items-center gap-x-2 text-left text-xs"
        >
          <span aria-hidden="true" className="w-3 text-slate-400">
            {open ? "▾" : "▸"}
          </span>
          {label}
          {!open && (
            <span className="mt-0.5 block w-full truncate pl-5 font-mono text-slate-600 dark:text-slate-300">
              {summaryLine(item.text)}
            </span>
          )}
        </button>
      ) : (
        <div className="flex min-w-0 flex-wrap items-center gap-x-2 text-xs">{label}</div>
      )}
      {(!collapsible || open) && <Body item={item} mono={collapsible || item.kind === "system"} />}
    </li>
  );
}
