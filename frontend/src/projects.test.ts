import { describe, expect, it } from "vitest";
import type { Project } from "./api/types";
import { projectTotals, sortProjects } from "./projects";

const project = (projectPath: string, p: Partial<Project>): Project => ({
  projectPath,
  sessions: 1,
  activeSessions: 0,
  totalTokens: 0,
  costUSD: 0,
  lastActivity: "2025-11-20T10:00:00Z",
  models: [],
  ...p,
});

const rows = [
  project("/src/beta", { sessions: 5, totalTokens: 900, costUSD: 2, lastActivity: "2025-11-19T10:00:00Z" }),
  project("/src/alpha", { sessions: 2, activeSessions: 1, totalTokens: 100, costUSD: null }),
  project("/src/gamma", { sessions: 9, totalTokens: 500, costUSD: 7.5, lastActivity: "2025-11-01T10:00:00Z" }),
];

describe("projects table", () => {
  it("sorts by any column, both ways; unpriced cost sorts lowest", () => {
    const paths = (sort: Parameters<typeof sortProjects>[1], order: "asc" | "desc") =>
      sortProjects(rows, sort, order).map((p) => (p.projectPath ?? "").slice(5));
    expect(paths("name", "asc")).toEqual(["alpha", "beta", "gamma"]);
    expect(paths("sessions", "desc")).toEqual(["gamma", "beta", "alpha"]);
    expect(paths("tokens", "asc")).toEqual(["alpha", "gamma", "beta"]);
    expect(paths("cost", "desc")).toEqual(["gamma", "beta", "alpha"]);
    expect(paths("lastActivity", "desc")).toEqual(["alpha", "beta", "gamma"]);
    expect(paths("active", "desc")).toEqual(["alpha", "beta", "gamma"]);
  });

  it("totals every column; the cost sums the priced projects and says when some are not", () => {
    expect(projectTotals(rows)).toEqual({
      projects: 3,
      sessions: 16,
      activeSessions: 1,
      totalTokens: 1500,
      costUSD: 9.5,
      partlyUnpriced: true,
      lastActivity: "2025-11-20T10:00:00Z",
    });
    expect(projectTotals([]).costUSD).toBeNull();
  });
});
