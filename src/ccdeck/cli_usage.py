"""`ccdeck usage daily|weekly|monthly|session|blocks|machines`: one command per report, each scanning first (unless
`--no-scan`), then printing JSON or a table fitted to the terminal."""

# No `from __future__ import annotations`: Typer reads the commands' annotations on every run (see `cli`).
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from ccdeck import commands
from ccdeck.cli_shared import (
    ConfigDirs,
    Db,
    Json,
    Machine,
    Machines,
    NoScan,
    Project,
    Since,
    Timezone,
    Until,
    emit_json,
    filter_flags,
    nothing_found,
    out,
    read_after_scan,
    resolve,
    warn_unpriced,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ccdeck.reports.filters import Filters
    from ccdeck.reports.periods import Period
    from ccdeck.shapes.cli import UsageReport
    from ccdeck.store.reader import Reader

usage_app = typer.Typer(help=commands.COMMANDS["usage"], no_args_is_help=True)

ReportBuilder = Callable[["Reader", "Filters", bool], "UsageReport"]  # the bool: `--all`
ReportTable = Callable[["UsageReport", bool], "RenderableType"]


def _report_command(build: ReportBuilder, table: ReportTable, doc: str, every: bool) -> Callable[..., None]:
    """One `usage` subcommand: scan, build the report, warn about unpriced models, print JSON or a table.
    `every`: the command has `--all`."""

    def command(
        since: Since = None,
        until: Until = None,
        timezone: Timezone = None,
        project: Project = None,
        breakdown: Annotated[bool, typer.Option("--breakdown", help="Show each model's share.")] = False,
        all_sessions: Annotated[bool, typer.Option("--all", help="Also sessions without tokens.")] = False,
        machines: Machines = None,
        config_dir: ConfigDirs = None,
        db: Db = None,
        json: Json = False,
        no_scan: NoScan = False,
        machine: Machine = None,
    ) -> None:
        from ccdeck.reports.filters import Filters

        cfg = resolve(config_dir, db, machine)
        filters = Filters.from_cli(since, until, timezone, project, machines)
        report = read_after_scan(cfg, not no_scan, lambda reader: build(reader, filters, all_sessions), "usage")
        warn_unpriced(report["unpricedModels"])
        if json:
            emit_json(report)
            return
        from ccdeck.render import report_tables

        if not report_tables.report_rows(report):
            nothing_found("usage", cfg, filter_flags(since, until, project, machines), not no_scan)
        else:
            out().print(table(report, breakdown))

    command.__doc__ = doc
    if not every:
        signature = inspect.signature(command)
        params = [p for p in signature.parameters.values() if p.name != "all_sessions"]
        command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return command


def _period(period: "Period") -> tuple[ReportBuilder, ReportTable]:
    def build(reader: "Reader", filters: "Filters", _all: bool) -> "UsageReport":
        from ccdeck.reports.periods import period_report

        return period_report(reader, filters, period)

    def table(report: "UsageReport", breakdown: bool) -> "RenderableType":
        from ccdeck.render import report_tables
        from ccdeck.reports.periods import PERIOD_KEYS

        return report_tables.period_table(report, PERIOD_KEYS[period], breakdown)

    return build, table


def _sessions_usage(reader: "Reader", filters: "Filters", every: bool) -> "UsageReport":
    from ccdeck.reports.session_report import session_report

    return session_report(reader, filters, with_empty=every)


def _sessions_usage_table(report: "UsageReport", _breakdown: bool) -> "RenderableType":
    from ccdeck.render import report_tables

    return report_tables.session_usage_table(report)


def _blocks(reader: "Reader", filters: "Filters", _all: bool) -> "UsageReport":
    from ccdeck.reports.blocks import blocks_report

    return blocks_report(reader, filters)


def _blocks_table(report: "UsageReport", _breakdown: bool) -> "RenderableType":
    from ccdeck.render import report_tables

    return report_tables.blocks_table(report)


def _machines(reader: "Reader", filters: "Filters", _all: bool) -> "UsageReport":
    from ccdeck.reports.machines import machines_report

    return machines_report(reader, filters)


def _machines_table(report: "UsageReport", breakdown: bool) -> "RenderableType":
    from ccdeck.render import report_tables

    return report_tables.period_table(report, "machine", breakdown)


REPORTS: dict[str, tuple[ReportBuilder, ReportTable, str]] = {
    "daily": (*_period("daily"), "Usage per day."),
    "weekly": (*_period("weekly"), "Usage per week (weeks start on Monday)."),
    "monthly": (*_period("monthly"), "Usage per month."),
    "session": (
        _sessions_usage,
        _sessions_usage_table,
        "Usage per Claude Code session (subagents count in their parent session); sessions without tokens only "
        "with --all.",
    ),
    "blocks": (
        _blocks,
        _blocks_table,
        "5-hour billing windows; the active one shows its burn rate and projected end.",
    ),
    "machines": (
        _machines,
        _machines_table,
        "Usage per machine (a response read on several machines counts for the first that stored it).",
    ),
}
for _name, (_build, _table, _doc) in REPORTS.items():
    usage_app.command(_name)(_report_command(_build, _table, _doc, every=_name == "session"))


def register(app: typer.Typer) -> None:
    app.add_typer(usage_app, name="usage", short_help=commands.COMMANDS["usage"])
