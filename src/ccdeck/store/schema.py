"""Tables, declared once with SQLAlchemy Core. Migrations (in `migrations/`) create and change them.

Dedup lives in primary keys: a billed response by its key, a timeline event by its line uuid, a tool call by its
id. Re-reading a file (after truncation, replacement or a crash) therefore never counts anything twice.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, MetaData, PrimaryKeyConstraint, Table, Text

metadata = MetaData()

files = Table(
    "files",
    metadata,
    Column("path", Text, primary_key=True),
    Column("config_dir", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("device", Integer, nullable=False),
    Column("inode", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("offset", Integer, nullable=False),
    Column("lines", Integer, nullable=False),
    Column("session_hint", Text),
    Column("cwd", Text),
    Column("scanned_at", Float, nullable=False),
    # Of the last 4 KiB before `offset` (`ingest.tailer.fingerprint`): a file rewritten in place is read again.
    # NULL in cursors written before migration 0003, as is `mtime_ns`.
    Column("fingerprint", Text),
    Column("mtime_ns", Integer),
)

# The first pass of a big scan ("usage": responses and sessions only) has a cursor of its own per file; `files` is
# the cursor of everything else (timeline, tool uses, search index...). A usage pass reads on from the further of
# the two; a complete pass leaves out the responses of lines before this one (migration 0008).
usage_cursors = Table(
    "usage_cursors",
    metadata,
    Column("path", Text, primary_key=True),
    Column("config_dir", Text, nullable=False),
    Column("device", Integer, nullable=False),
    Column("inode", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("offset", Integer, nullable=False),
    Column("lines", Integer, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("mtime_ns", Integer, nullable=False),
    Index("ix_usage_cursors_config_dir", "config_dir"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("session_id", Text, primary_key=True),
    Column("config_dir", Text, nullable=False),
    Column("project_path", Text),
    Column("git_branch", Text),
    Column("version", Text),
    Column("entrypoint", Text),
    Column("title", Text),
    Column("first_activity", Float),
    Column("last_activity", Float),
    Column("last_kind", Text),
    Column("doing", Text),
    Column("input_tokens", Integer, nullable=False, server_default="0"),
    Column("output_tokens", Integer, nullable=False, server_default="0"),
    Column("cache_creation_tokens", Integer, nullable=False, server_default="0"),
    Column("cache_read_tokens", Integer, nullable=False, server_default="0"),
    Column("cost_usd", Float),
    Column("models", Text, nullable=False, server_default="[]"),
    Column("unpriced_models", Text, nullable=False, server_default="[]"),
    Column("responses", Integer, nullable=False, server_default="0"),
    Column("prompts", Integer, nullable=False, server_default="0"),
    Column("tool_uses", Integer, nullable=False, server_default="0"),
    Column("api_errors", Integer, nullable=False, server_default="0"),
    Column("compactions", Integer, nullable=False, server_default="0"),
    Column("subagents", Integer, nullable=False, server_default="0"),
    Column("files_changed", Integer, nullable=False, server_default="0"),
    # The last activity a complete pass has seen (NULL: only usage passes have). The newest line's cwd, branch and
    # state are decided among complete passes' lines, in the order they come, as if no usage pass had run.
    Column("detail_activity", Float),
    # "telemetry" while the session is known only from OpenTelemetry exports (`ccdeck.otel`), else "transcript";
    # who ran it and where, as telemetry says (migration 0010).
    Column("source", Text, nullable=False, server_default="transcript"),
    Column("user_email", Text),
    Column("user_account", Text),
    Column("host", Text),
    Index("ix_sessions_last_activity", "last_activity"),
    Index("ix_sessions_project", "project_path"),
)

responses = Table(
    "responses",
    metadata,
    Column("key", Text, primary_key=True),
    Column("session_id", Text, nullable=False),
    Column("agent_id", Text),
    Column("ts", Float, nullable=False),
    Column("model", Text, nullable=False),
    Column("input_tokens", Integer, nullable=False),
    Column("output_tokens", Integer, nullable=False),
    Column("cache_creation_tokens", Integer, nullable=False),
    Column("cache_read_tokens", Integer, nullable=False),
    Column("cache_5m_tokens", Integer, nullable=False),
    Column("cache_1h_tokens", Integer, nullable=False),
    Column("web_search_requests", Integer, nullable=False),
    Column("cost_usd", Float),
    # The API's request id, shared by a transcript's copy and telemetry's (`store.request_ids`); migration 0010.
    Column("request_id", Text),
    Index("ix_responses_session", "session_id", "ts"),
    Index("ix_responses_ts", "ts"),
    Index("ix_responses_request_id", "request_id"),
)

events = Table(
    "events",
    metadata,
    Column("key", Text, primary_key=True),
    Column("session_id", Text, nullable=False),
    Column("ts", Float, nullable=False),
    Column("kind", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("tool_name", Text),
    Column("agent_id", Text),
    Column("is_error", Boolean, nullable=False),
    Column("truncated", Boolean, nullable=False),
    Index("ix_events_session", "session_id", "ts"),
)

tool_uses = Table(
    "tool_uses",
    metadata,
    Column("id", Text, primary_key=True),
    Column("session_id", Text, nullable=False),
    Column("ts", Float, nullable=False),
    Column("name", Text, nullable=False),
    Column("path", Text),
    Column("agent_id", Text),
    Index("ix_tool_uses_session", "session_id"),
)

snapshot_files = Table(
    "snapshot_files",
    metadata,
    Column("session_id", Text, nullable=False),
    Column("path", Text, nullable=False),
    PrimaryKeyConstraint("session_id", "path"),
)

titles = Table(
    "titles",
    metadata,
    Column("session_id", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("text", Text, nullable=False),
    PrimaryKeyConstraint("session_id", "source"),
)

summaries = Table(
    "summaries",
    metadata,
    Column("leaf_uuid", Text, primary_key=True),
    Column("text", Text, nullable=False),
)

agents = Table(
    "agents",
    metadata,
    Column("session_id", Text, nullable=False),
    Column("agent_id", Text, nullable=False),
    Column("agent_type", Text),
    Column("description", Text),
    PrimaryKeyConstraint("session_id", "agent_id"),
)

history = Table(
    "history",
    metadata,
    Column("ts", Float, nullable=False),
    Column("display", Text, nullable=False),
    Column("project", Text),
    Column("session_id", Text),
    PrimaryKeyConstraint("ts", "display"),
)

live_sessions = Table(
    "live_sessions",
    metadata,
    Column("config_dir", Text, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("session_id", Text, nullable=False),
    Column("cwd", Text),
    Column("started_at", Float),
    Column("updated_at", Float),
    Column("version", Text),
    Column("status", Text),
    Column("waiting_for", Text),
    Column("status_updated_at", Float),
    Column("kind", Text),
    Column("proc_start", Text),
    Column("name", Text),
    Column("job_id", Text),
    PrimaryKeyConstraint("config_dir", "pid"),
)

problems = Table(
    "problems",
    metadata,
    Column("path", Text, nullable=False),
    Column("offset", Integer, nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("seen_at", Float, nullable=False),
    PrimaryKeyConstraint("path", "offset"),
)

# Launch: runs of headless Claude Code sessions and their tasks. Every process that launches, stops or reports on
# a run goes through these rows, so a run started in one terminal can be stopped from any other.
runs = Table(
    "runs",
    metadata,
    Column("id", Text, primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("status", Text, nullable=False),
    Column("options", Text, nullable=False),
    Column("claude_bin", Text, nullable=False),
    Column("claude_version", Text),
    Column("log_dir", Text, nullable=False),
    Column("detached", Boolean, nullable=False),
    Column("supervisor_pid", Integer),
    Column("supervisor_started", Float),
    Column("stop_requested", Float),
    Index("ix_runs_created", "created_at"),
)

run_tasks = Table(
    "run_tasks",
    metadata,
    Column("run_id", Text, nullable=False),
    Column("task_id", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("spec", Text, nullable=False),
    Column("cwd", Text, nullable=False),
    Column("config_dir", Text),
    Column("status", Text, nullable=False),
    Column("attempt", Integer, nullable=False, server_default="0"),
    Column("attempts", Text, nullable=False, server_default="[]"),
    Column("session_id", Text),
    Column("pid", Integer),
    Column("pid_started", Float),
    Column("exit_code", Integer),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("seconds", Float),
    Column("api_seconds", Float),
    Column("num_turns", Integer),
    Column("cost_usd", Float),
    Column("cost_estimated", Boolean, nullable=False, server_default="0"),
    Column("total_tokens", Integer, nullable=False, server_default="0"),
    Column("model_usage", Text, nullable=False, server_default="{}"),
    Column("result", Text),
    Column("subtype", Text),
    Column("terminal_reason", Text),
    Column("api_error_status", Integer),
    Column("permission_denials", Text, nullable=False, server_default="[]"),
    Column("files_changed", Text, nullable=False, server_default="[]"),
    Column("last_tool", Text),
    Column("error", Text),
    Column("worktree", Text),
    Column("branch", Text),
    Column("base_commit", Text),
    Column("diff_stat", Text),
    Column("stop_requested", Float),
    Column("updated_at", Float, nullable=False),
    # {"usd": saving or null, "unpriced": [model, ...]}, priced when the row is written; NULL in older rows.
    Column("cache_saving", Text),
    PrimaryKeyConstraint("run_id", "task_id"),
    Index("ix_run_tasks_session", "session_id"),
    Index("ix_run_tasks_status", "status"),
    Index("ix_run_tasks_position", "run_id", "position"),  # a run's tasks in order, unsorted
)

# The last status-line input of each session (`ccdeck statusline`, run by Claude Code after each message): the live
# figures only Claude Code knows, context window use and, for subscribers, the 5-hour and 7-day rate limits. That
# command writes this one row with the standard library (see `store/statusline.py`), never through the store.
statusline = Table(
    "statusline",
    metadata,
    Column("session_id", Text, primary_key=True),
    Column("updated_at", Float, nullable=False),
    Column("model", Text),
    Column("version", Text),
    Column("cwd", Text),
    Column("cost_usd", Float),
    Column("lines_added", Integer),
    Column("lines_removed", Integer),
    Column("context_used_pct", Float),
    Column("context_window_size", Integer),
    Column("five_hour_used_pct", Float),
    Column("five_hour_resets_at", Float),
    Column("seven_day_used_pct", Float),
    Column("seven_day_resets_at", Float),
    Index("ix_statusline_updated", "updated_at"),
)

# Live states that a machine's monitor computed (its registry, hooks, jobs), for the other machines sharing the
# database: a `serve` shows another machine's session with the state stored here. One row per live session; a
# session that ends loses its row.
live_states = Table(
    "live_states",
    metadata,
    Column("session_id", Text, primary_key=True),
    Column("machine", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("since", Float),
    Column("blocked_on", Text),
    Column("kind", Text, nullable=False),
    Column("doing", Text),
    Column("name", Text),
    Column("prompt", Text),
    Column("updated_at", Float, nullable=False),
    Index("ix_live_states_machine", "machine"),
)
