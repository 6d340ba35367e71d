import type { SessionSort, SessionState, SortOrder } from "./api/types";
import { SESSION_STATES } from "./api/types";

/** What the Sessions page shows; mirrored in the URL query string. */
export interface SessionFilters {
  q: string;
  project: string;
  states: SessionState[];
  model: string;
  /** The machine whose sessions ("" for every machine's) */
  machine: string;
  /** YYYY-MM-DD, on last activity */
  since: string;
  until: string;
  sort: SessionSort;
  order: SortOrder;
  page: number;
}

const SESSIONS_PAGE_SIZE = 50;

export const DEFAULT_FILTERS: SessionFilters = {
  q: "",
  project: "",
  states: [],
  model: "",
  machine: "",
  since: "",
  until: "",
  sort: "lastActivity",
  order: "desc",
  page: 1,
};

const SORTS: readonly SessionSort[] = ["lastActivity", "cost", "tokens", "duration"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return allowed.find((a) => a === value) ?? fallback;
}

export function filtersFromSearch(search: string): SessionFilters {
  const params = new URLSearchParams(search);
  const states = (params.get("state") ?? "")
    .split(",")
    .filter((s): s is SessionState => (SESSION_STATES as readonly string[]).includes(s));
  const page = Number.parseInt(params.get("page") ?? "", 10);
  const date = (key: string) => {
    const value = params.get(key) ?? "";
    return DATE.test(value) ? value : "";
  };
  return {
    q: params.get("q") ?? "",
    project: params.get("project") ?? "",
    states: SESSION_STATES.filter((s) => states.includes(s)),
    model: params.get("model") ?? "",
    machine: params.get("machine") ?? "",
    since: date("since"),
    until: date("until"),
    sort: oneOf(params.get("sort"), SORTS, DEFAULT_FILTERS.sort),
    order: oneOf(params.get("order"), ["desc", "asc"] as const, DEFAULT_FILTERS.order),
    page: Number.isFinite(page) && page > 1 ? page : 1,
  };
}

/** The query string for `filters` ("" when all are defaults); defaults are left out. */
export function filtersToSearch(filters: SessionFilters): string {
  const params = new URLSearchParams();
  if (filters.q) params.set("q", filters.q);
  if (filters.project) params.set("project", filters.project);
  if (filters.states.length) params.set("state", filters.states.join(","));
  if (filters.model) params.set("model", filters.model);
  if (filters.machine) params.set("machine", filters.machine);
  if (filters.since) params.set("since", filters.since);
  if (filters.until) params.set("until", filters.until);
  if (filters.sort !== DEFAULT_FILTERS.sort) params.set("sort", filters.sort);
  if (filters.order !== DEFAULT_FILTERS.order) params.set("order", filters.order);
  if (filters.page > 1) params.set("page", String(filters.page));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Query parameters for `GET /api/sessions`. */
export function sessionsQuery(filters: SessionFilters): Record<string, string | number | string[]> {
  return {
    q: filters.q,
    project: filters.project,
    state: filters.states,
    model: filters.model,
    machines: filters.machine,
    since: filters.since,
    until: filters.until,
    sort: filters.sort,
    order: filters.order,
    page: filters.page,
    pageSize: SESSIONS_PAGE_SIZE,
  };
}

export function sessionsHref(changes: Partial<SessionFilters>): string {
  return `/sessions${filtersToSearch({ ...DEFAULT_FILTERS, ...changes })}`;
}
