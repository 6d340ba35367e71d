import { describe, expect, it } from "vitest";
import { DEFAULT_FILTERS, filtersFromSearch, filtersToSearch, sessionsHref, sessionsQuery } from "./filters";

describe("URL ↔ filters", () => {
  it("gives the defaults for an empty query, and an empty query for the defaults", () => {
    expect(filtersFromSearch("")).toEqual(DEFAULT_FILTERS);
    expect(filtersToSearch(DEFAULT_FILTERS)).toBe("");
  });

  it("round-trips every filter", () => {
    const filters = {
      q: "fix bug & test",
      project: "/home/dev/my app",
      states: ["working" as const, "waiting" as const],
      model: "claude-opus-4-1",
      machine: "build box",
      since: "2025-11-01",
      until: "2025-11-20",
      sort: "cost" as const,
      order: "asc" as const,
      page: 3,
    };
    const search = filtersToSearch(filters);
    expect(search).toContain("state=working%2Cwaiting");
    expect(filtersFromSearch(search)).toEqual(filters);
  });

  it("drops invalid values", () => {
    expect(filtersFromSearch("?state=working,bogus&sort=nope&order=up&page=-2&since=yesterday")).toEqual({
      ...DEFAULT_FILTERS,
      states: ["working"],
    });
  });

  it("keeps states in a canonical order", () => {
    expect(filtersFromSearch("?state=ended,working").states).toEqual(["working", "ended"]);
  });

  it("links to sessions filtered by project", () => {
    expect(sessionsHref({ project: "/a/b" })).toBe("/sessions?project=%2Fa%2Fb");
  });

  it("carries the machine filter through the URL to the API's machines parameter", () => {
    const filters = filtersFromSearch("?machine=laptop");
    expect(filters.machine).toBe("laptop");
    expect(filtersToSearch(filters)).toBe("?machine=laptop");
    expect(sessionsQuery(filters).machines).toBe("laptop");
    expect(sessionsQuery(DEFAULT_FILTERS).machines).toBe("");
  });

  it("maps filters to the API query", () => {
    const query = sessionsQuery({ ...DEFAULT_FILTERS, states: ["idle"], page: 2 });
    expect(query).toMatchObject({ state: ["idle"], sort: "lastActivity", order: "desc", page: 2, pageSize: 50 });
  });
});
