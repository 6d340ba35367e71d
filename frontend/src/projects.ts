import type { Project, SortOrder } from "./api/types";

export type ProjectSort = "name" | "sessions" | "active" | "tokens" | "cost" | "lastActivity";

const NAME = (p: Project) => (p.projectPath ?? "").toLowerCase();

function compare(a: Project, b: Project, sort: ProjectSort): number {
  switch (sort) {
    case "name":
      return NAME(a) < NAME(b) ? -1 : NAME(a) > NAME(b) ? 1 : 0;
    case "sessions":
      return a.sessions - b.sessions;
    case "active":
      return a.activeSessions - b.activeSessions;
    case "tokens":
      return a.totalTokens - b.totalTokens;
    case "cost":
      // Unpriced projects sort below every priced one.
      return (a.costUSD ?? -1) - (b.costUSD ?? -1);
    case "lastActivity":
      return (Date.parse(a.lastActivity ?? "") || 0) - (Date.parse(b.lastActivity ?? "") || 0);
  }
}

/** Projects sorted by one column; ties broken by path, so the order is stable. */
export function sortProjects(projects: readonly Project[], sort: ProjectSort, order: SortOrder): Project[] {
  const sign = order === "asc" ? 1 : -1;
  return [...projects].sort((a, b) => sign * compare(a, b, sort) || (NAME(a) < NAME(b) ? -1 : 1));
}

export interface ProjectTotals {
  projects: number;
  sessions: number;
  activeSessions: number;
  totalTokens: number;
  /** Sum of the priced projects; null when none is priced. */
  costUSD: number | null;
  /** Some project has unpriced usage: the cost is a lower bound. */
  partlyUnpriced: boolean;
  lastActivity: string | null;
}

export function projectTotals(projects: readonly Project[]): ProjectTotals {
  const priced = projects.filter((p) => p.costUSD !== null);
  const latest = projects.reduce<string | null>(
    (best, p) =>
      p.lastActivity !== null && (best === null || Date.parse(p.lastActivity) > Date.parse(best))
        ? p.lastActivity
        : best,
    null,
  );
  return {
    projects: projects.length,
    sessions: projects.reduce((n, p) => n + p.sessions, 0),
    activeSessions: projects.reduce((n, p) => n + p.activeSessions, 0),
    totalTokens: projects.reduce((n, p) => n + p.totalTokens, 0),
    costUSD: priced.length ? priced.reduce((n, p) => n + (p.costUSD ?? 0), 0) : null,
    partlyUnpriced: priced.length < projects.length,
    lastActivity: latest,
  };
}

/** Text columns start ascending, figures and dates descending. */
export function firstOrder(sort: ProjectSort): SortOrder {
  return sort === "name" ? "asc" : "desc";
}
