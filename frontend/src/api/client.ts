import type {
  Health,
  LogStream,
  NewRunRequest,
  Project,
  Run,
  SearchPage,
  SessionDetail,
  SessionsPage,
  Summary,
  TimelinePage,
  Usage,
  UsageBucket,
  UsageGroup,
  Mutes,
  MuteKind,
} from "./types";

/** A failed API call: `status` is the HTTP status, or 0 when the server could not be reached. */
export class ApiError extends Error {
  readonly status: number;
  /** The server's own one-line `detail`, when it gave one. */
  readonly detail: string | null;

  constructor(status: number, message: string, detail: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
  }
}

type Query = Record<string, string | number | readonly string[] | undefined>;

function buildQuery(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === "") continue;
    if (typeof value === "object") {
      if (value.length > 0) params.set(key, value.join(","));
    } else {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

function describeDetail(detail: unknown): string | null {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    const messages = detail
      .map((entry: unknown) => (entry && typeof entry === "object" && "msg" in entry ? String(entry.msg) : null))
      .filter((m): m is string => m !== null);
    return messages.length ? messages.join("; ") : null;
  }
  return null;
}

async function errorFromResponse(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`.trim();
  let detail: string | null = null;
  try {
    const body: unknown = await response.json();
    detail = body && typeof body === "object" && "detail" in body ? describeDetail(body.detail) : null;
    if (detail) message = `${response.status}: ${detail}`;
  } catch {
    // the body was not JSON; the status line is the best description we have
  }
  return new ApiError(response.status, message, detail);
}

export async function getJson<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path + buildQuery(query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, `Cannot reach the ccdeck server (${path})`);
  }
  if (!response.ok) throw await errorFromResponse(response);
  return (await response.json()) as T;
}

/** A state-changing request with a JSON body (same-origin, so the server's Origin check passes). */
export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, `Cannot reach the ccdeck server (${path})`);
  }
  if (!response.ok) throw await errorFromResponse(response);
  return (await response.json()) as T;
}

/** A DELETE (same-origin, like `postJson`). */
export async function deleteJson<T>(path: string, query: Query = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path + buildQuery(query), {
      method: "DELETE",
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, `Cannot reach the ccdeck server (${path})`);
  }
  if (!response.ok) throw await errorFromResponse(response);
  return (await response.json()) as T;
}

function runPath(runId: string): string {
  return `/api/runs/${encodeURIComponent(runId)}`;
}

function taskPath(runId: string, taskId: string): string {
  return `${runPath(runId)}/tasks/${encodeURIComponent(taskId)}`;
}

export const api = {
  mutes: (signal?: AbortSignal) => getJson<{ mutes: Mutes }>("/api/mutes", {}, signal),
  mute: (kind: MuteKind, value: string) => postJson<{ mutes: Mutes }>("/api/mutes", { kind, value }),
  unmute: (kind: MuteKind, value: string) => deleteJson<{ mutes: Mutes }>("/api/mutes", { kind, value }),
  health: (signal?: AbortSignal) => getJson<Health>("/api/health", {}, signal),
  summary: (signal?: AbortSignal) => getJson<Summary>("/api/summary", {}, signal),
  sessions: (query: Query, signal?: AbortSignal) => getJson<SessionsPage>("/api/sessions", query, signal),
  session: (id: string, signal?: AbortSignal) =>
    getJson<SessionDetail>(`/api/sessions/${encodeURIComponent(id)}`, {}, signal),
  /** `after`: only items at or after this ISO time; `order: "desc"`: newest first. */
  timeline: (
    id: string,
    query: { page: number; pageSize: number; after?: string; order?: "asc" | "desc" },
    signal?: AbortSignal,
  ) => getJson<TimelinePage>(`/api/sessions/${encodeURIComponent(id)}/timeline`, query, signal),
  usage: (
    query: { bucket: UsageBucket; group: UsageGroup; since?: string; until?: string; tz?: string },
    signal?: AbortSignal,
  ) => getJson<Usage>("/api/usage", query, signal),
  search: (query: { q: string; project?: string; page?: number; pageSize?: number }, signal?: AbortSignal) =>
    getJson<SearchPage>("/api/search", query, signal),
  projects: (signal?: AbortSignal) => getJson<{ projects: Project[] }>("/api/projects", {}, signal),
  machines: (signal?: AbortSignal) => getJson<{ machines: string[] }>("/api/machines", {}, signal),
  runs: (query: { active?: boolean; limit?: number }, signal?: AbortSignal) =>
    getJson<{ runs: Run[] }>(
      "/api/runs",
      {
        active: query.active === undefined ? undefined : String(query.active),
        limit: query.limit,
      },
      signal,
    ),
  run: (id: string, signal?: AbortSignal) => getJson<{ run: Run }>(runPath(id), {}, signal),
  createRun: (request: NewRunRequest) => postJson<{ run: Run }>("/api/runs", request),
  stopRun: (id: string) => postJson<{ stopped: number }>(`${runPath(id)}/stop`),
  stopTask: (runId: string, taskId: string) => postJson<{ stopped: number }>(`${taskPath(runId, taskId)}/stop`),
  taskLog: (runId: string, taskId: string, stream: LogStream, tail: number, signal?: AbortSignal) =>
    getJson<{ lines: string[] }>(`${taskPath(runId, taskId)}/log`, { stream, tail }, signal),
};
