// Text for the parts of a task's result whose shape the API leaves open.

import type { PermissionDenial } from "../api/types";

export interface DiffFile {
  path: string;
  added: number | null;
  deleted: number | null;
}

function count(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A worktree's diff stat as one line ("3 files changed, +10 −2, 1 commit") and its files, when it has the
 * usual counts; otherwise the value itself as text.
 */
export function describeDiffStat(value: unknown): { summary: string; files: DiffFile[] } {
  if (value === null || value === undefined) return { summary: "no changes recorded", files: [] };
  if (typeof value === "string") return { summary: value, files: [] };
  if (typeof value !== "object" || Array.isArray(value)) return { summary: JSON.stringify(value), files: [] };
  const stat = value as Record<string, unknown>;
  const files: DiffFile[] = Array.isArray(stat.files)
    ? stat.files
        .filter((f): f is Record<string, unknown> => !!f && typeof f === "object")
        .map((f) => ({ path: String(f.path ?? "?"), added: count(f.added), deleted: count(f.deleted) }))
    : [];
  const changed = count(stat.filesChanged) ?? (Array.isArray(stat.files) ? files.length : null);
  const insertions = count(stat.insertions);
  const deletions = count(stat.deletions);
  const commits = count(stat.commits);
  const parts: string[] = [];
  if (changed !== null) parts.push(`${plural(changed, "file")} changed`);
  if (insertions !== null || deletions !== null) parts.push(`+${insertions ?? 0} −${deletions ?? 0}`);
  if (commits !== null) parts.push(plural(commits, "commit"));
  return { summary: parts.length ? parts.join(", ") : JSON.stringify(value), files };
}

/** A refused tool call: the tool's name and what it was asked to do, as text. */
export function describeDenial(denial: PermissionDenial): { tool: string; input: string } {
  const tool = typeof denial.tool_name === "string" ? denial.tool_name : typeof denial.tool === "string" ? denial.tool : "tool";
  const raw = "tool_input" in denial ? denial.tool_input : denial;
  let input: string;
  if (raw && typeof raw === "object") {
    const fields = raw as Record<string, unknown>;
    // The telling field of the common tools first: the command, the file, the pattern.
    const telling = ["command", "file_path", "path", "pattern", "url"].find((k) => typeof fields[k] === "string");
    input = telling ? String(fields[telling]) : JSON.stringify(raw);
  } else {
    input = raw === undefined ? "" : String(raw);
  }
  return { tool, input };
}
