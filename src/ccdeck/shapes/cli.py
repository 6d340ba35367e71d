"""The top-level shapes of the CLI's `--json` outputs. Other tools read them: add fields freely, never rename or
drop one (tests/test_cli_shapes.py pins each output's keys to these declarations)."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict

from ccdeck.shapes.common import (
    Block,
    LiveView,
    ModelTotals,
    Run,
    RunTask,
    SearchResults,
    StoredSession,
    Totals,
)

SearchReport = SearchResults  # `ccdeck search --json`


class PeriodRow(Totals):
    models: list[str]  # most expensive first
    modelBreakdowns: list[ModelTotals]
    unpricedModels: list[str]


class DailyRow(PeriodRow):
    date: str  # YYYY-MM-DD


class WeeklyRow(PeriodRow):
    week: str  # the Monday, YYYY-MM-DD


class MonthlyRow(PeriodRow):
    month: str  # YYYY-MM


class DailyReport(TypedDict):
    """`ccdeck usage daily --json`, oldest day first."""

    daily: list[DailyRow]
    totals: Totals
    unpricedModels: list[str]


class WeeklyReport(TypedDict):
    """`ccdeck usage weekly --json`, oldest week first."""

    weekly: list[WeeklyRow]
    totals: Totals
    unpricedModels: list[str]


class MonthlyReport(TypedDict):
    """`ccdeck usage monthly --json`, oldest month first."""

    monthly: list[MonthlyRow]
    totals: Totals
    unpricedModels: list[str]


class MachineRow(PeriodRow):
    machine: str


class MachinesReport(TypedDict):
    """`ccdeck usage machines --json`, by machine name: each response counts for the machine that stored it first."""

    machines: list[MachineRow]
    totals: Totals
    unpricedModels: list[str]


class SessionReport(TypedDict):
    """`ccdeck usage session --json` (with `--all`, also the sessions without tokens), newest activity first."""

    sessions: list[StoredSession]
    totals: Totals
    unpricedModels: list[str]


class BlocksReport(TypedDict):
    """`ccdeck usage blocks --json`: 5-hour billing windows, oldest first."""

    blocks: list[Block]
    totals: Totals
    unpricedModels: list[str]


UsageReport = DailyReport | WeeklyReport | MonthlyReport | SessionReport | BlocksReport | MachinesReport


class ListedSession(StoredSession, LiveView):
    """A session with the live view of it that its stored facts and Claude Code's files give."""


class SessionList(TypedDict):
    """`ccdeck sessions --json`, newest first."""

    sessions: list[ListedSession]


class ScanStats(TypedDict):
    """`ccdeck scan --json`."""

    files: int
    bytes: int
    lines: int
    newResponses: int
    problems: int
    skipped: int
    seconds: float
    unknownTypes: dict[str, int]  # line type -> lines skipped as unknown
    sessionsChanged: int


class RunReport(TypedDict):
    """`ccdeck run --json` (also `run-multi`, `start`)."""

    run: Run


class RunsReport(TypedDict):
    """`ccdeck status --json`, newest first."""

    runs: list[Run]


class TaskSession(TypedDict):
    sessionId: str
    ingested: bool
    filesChanged: list[str]
    events: int


class ResultTask(RunTask):
    session: NotRequired[TaskSession]  # when its transcript was read (not with --no-scan)


class TaskReport(TypedDict):
    """`ccdeck result --json`."""

    task: ResultTask


class StoppedReport(TypedDict):
    """`ccdeck stop --json`, `ccdeck stop-all --json`."""

    tasks: list[RunTask]


class RemovedWorktree(TypedDict):
    run: str
    task: str
    path: str
    branch: str | None


class KeptWorktree(RemovedWorktree):
    reason: str


class CleanReport(TypedDict):
    """`ccdeck clean --json`."""

    removedRuns: list[str]
    removedWorktrees: list[RemovedWorktree]
    keptWorktrees: list[KeptWorktree]
