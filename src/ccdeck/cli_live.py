"""The commands that connect Claude Code to ccdeck: `statusline` (and its `install` / `uninstall`), `hooks
install | uninstall | status`, and `notify test` (one test alert to the `notify` URLs).

`cli.py` registers them (`register(app)`) and maps errors to exit codes. The plain `ccdeck statusline` normally never
gets here: the entry point runs it before these imports (`ccdeck.entry`); this copy serves `ccdeck -v statusline`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ccdeck import commands, config, statusline
from ccdeck.claude import integration
from ccdeck.claude.discovery import config_dirs_from
from ccdeck.claude.settings_file import Settings, Written, read_settings, settings_path, update_settings
from ccdeck.cli_shared import emit_json
from ccdeck.config import Config
from ccdeck.errors import ConfigDirError, UsageError

statusline_app = typer.Typer(help=commands.COMMANDS["statusline"], invoke_without_command=True)
hooks_app = typer.Typer(help=commands.COMMANDS["hooks"], no_args_is_help=True)
notify_app = typer.Typer(help=commands.COMMANDS["notify"], no_args_is_help=True)

ConfigDirs = Annotated[
    list[Path] | None,
    typer.Option(
        "--config-dir",
        help="Claude Code config dir whose settings.json to change (repeatable). Default: $CLAUDE_CONFIG_DIR, "
        "else ~/.claude and ~/.config/claude that exist.",
        show_default=False,
    ),
]
Print = Annotated[bool, typer.Option("--print", help="Print the settings snippet instead of writing it.")]
Format = Annotated[
    str | None,
    typer.Option("--format", help=f"Placeholders: {', '.join(statusline.PLACEHOLDERS)}.", show_default=False),
]
Url = Annotated[
    str | None,
    typer.Option(
        "--url", help="Where hooks post (default http://<host>:<port>/api/hooks of `serve`).", show_default=False
    ),
]
Token = Annotated[
    bool,
    typer.Option(
        "--token",
        help=f"Send `Authorization: Bearer ${integration.TOKEN_ENV}` from Claude Code's environment "
        "(automatic off loopback).",
    ),
]


@statusline_app.callback()
def statusline_command(
    ctx: typer.Context,
    format: Format = None,
    db: Annotated[str | None, typer.Option("--db", metavar="PATH|URL", help=config.DB.help, show_default=False)] = None,
) -> None:
    """Read Claude Code's status JSON on stdin and print one line (run by Claude Code after each message)."""
    if ctx.invoked_subcommand is not None:
        return
    options = {key: value for key, value in (("--format", format), ("--db", db)) if value is not None}
    statusline.run({key: str(value) for key, value in options.items()}, sys.stdin.buffer, sys.stdout, os.environ)


@statusline_app.command("install")
def statusline_install(
    config_dir: ConfigDirs = None,
    format: Format = None,
    force: Annotated[bool, typer.Option("--force", help="Replace another program's status line.")] = False,
    print_only: Print = False,
) -> None:
    """Set `statusLine` in settings.json to run `ccdeck statusline` (a backup of the old file is kept)."""
    command = integration.ccdeck_command(format)
    if print_only:
        emit_json({"statusLine": integration.statusline_entry(command)})
        return
    for folder in target_dirs(config_dir):
        written = update_settings(settings_path(folder), lambda s: integration.with_statusline(s, command, force))
        _report(written, "statusLine set to run ccdeck statusline", "statusLine already runs ccdeck statusline")


@statusline_app.command("uninstall")
def statusline_uninstall(config_dir: ConfigDirs = None) -> None:
    """Remove ccdeck's `statusLine` from settings.json (another program's status line stays)."""
    for folder in target_dirs(config_dir):
        written = update_settings(settings_path(folder), integration.without_statusline)
        _report(written, "ccdeck's statusLine removed", "no ccdeck statusLine")


@hooks_app.command("install")
def hooks_install(
    config_dir: ConfigDirs = None, url: Url = None, token: Token = False, print_only: Print = False
) -> None:
    """Add http hooks posting every session event to `ccdeck serve` (2 s timeout; other hooks stay)."""
    hook_url, with_token = _hook_target(url, token)
    if print_only:
        emit_json(integration.hooks_settings(hook_url, with_token))
        return
    change: Callable[[Settings], Settings] = lambda s: integration.with_hooks(s, hook_url, with_token)  # noqa: E731
    for folder in target_dirs(config_dir):
        written = update_settings(settings_path(folder), change)
        _report(written, f"hooks for {len(integration.HOOK_EVENTS)} events post to {hook_url}", "hooks already set")
    if with_token:
        typer.echo(f"Claude Code must run with {integration.TOKEN_ENV} set to the server's token.")


@hooks_app.command("uninstall")
def hooks_uninstall(config_dir: ConfigDirs = None) -> None:
    """Remove ccdeck's hooks (http hooks posting to /api/hooks); every other hook stays."""
    for folder in target_dirs(config_dir):
        written = update_settings(settings_path(folder), integration.without_hooks)
        _report(written, "ccdeck's hooks removed", "no ccdeck hooks")


@hooks_app.command("status")
def hooks_status(
    config_dir: ConfigDirs = None, json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """Whether ccdeck's hooks and status line are installed, per config dir."""
    rows = [status_of(folder) for folder in target_dirs(config_dir)]
    if json_out:
        emit_json({"configDirs": rows})
        return
    for row in rows:
        typer.echo(describe(row))


def status_of(folder: Path) -> dict[str, Any]:
    """One config dir's row of `hooks status`: a settings.json that cannot be read gives its `error`."""
    path = settings_path(folder)
    row: dict[str, Any] = {"configDir": str(folder), "settings": str(path), "error": None}
    try:
        settings = read_settings(path)[0]
    except ConfigDirError as exc:
        settings, row["error"] = {}, str(exc)
    hooks = integration.installed_hooks(settings)
    line = settings.get("statusLine")
    row["hooks"] = {
        "installed": all(event in hooks for event in integration.HOOK_EVENTS),
        "events": sorted(hooks),
        "missing": [event for event in integration.HOOK_EVENTS if event not in hooks],
        "urls": sorted(set(hooks.values())),
    }
    row["statusLine"] = {
        "installed": integration.is_our_statusline(line),
        "command": line.get("command") if isinstance(line, dict) else None,
    }
    return row


def describe(row: dict[str, Any]) -> str:
    if row["error"]:
        return f"{row['configDir']}: {row['error']}"
    hooks, line = row["hooks"], row["statusLine"]
    if hooks["installed"]:
        hook_text = f"hooks installed ({', '.join(hooks['urls'])})"
    elif hooks["events"]:
        hook_text = f"hooks partly installed (missing {', '.join(hooks['missing'])})"
    else:
        hook_text = "hooks not installed"
    if line["installed"]:
        line_text = "statusline installed"
    elif line["command"]:
        line_text = f"another statusline ({line['command']})"
    else:
        line_text = "statusline not installed"
    return f"{row['configDir']}: {hook_text}; {line_text}"


def target_dirs(explicit: list[Path] | None) -> tuple[Path, ...]:
    """`--config-dir` flags, else Claude Code's dirs as every command finds them, else `~/.claude` if it exists."""
    dirs = config_dirs_from(tuple(explicit or ()), os.environ)
    if not dirs:
        raise ConfigDirError("no Claude Code config dir found (~/.claude); pass --config-dir")
    return dirs


def _hook_target(url: str | None, token: bool) -> tuple[str, bool]:
    cfg = Config.resolve()
    host, port = cfg.get(config.HOST), cfg.get(config.PORT)
    if url is None and port == 0:  # serve picks a free port then: there is no address to send hooks to
        raise UsageError("the configured port is 0 (any free port): pass --url with the port serve printed")
    chosen = url or integration.hook_url(host, port)
    off_loopback = not integration.is_loopback_url(chosen) or not integration.is_loopback_host(host)
    return chosen, token or off_loopback


def _report(written: Written, done: str, unchanged: str) -> None:
    if not written.changed:
        typer.echo(f"{written.path}: {unchanged}; nothing changed")
        return
    backup = f" (previous content in {written.backup})" if written.backup else ""
    typer.echo(f"{written.path}: {done}{backup}")


@notify_app.command("test")
def notify_test(
    notify: Annotated[
        str | None,
        typer.Option("--notify", help=f"Apprise URLs, comma-separated [default: env {config.NOTIFY.env}]"),
    ] = None,
) -> None:
    """Send one test alert to the `notify` URLs; exit 0 once every one accepted it, 2 otherwise."""
    from ccdeck.live.alerts import Alert  # with the notifier, they bring an HTTP client: only this command needs it
    from ccdeck.live.notifier import deliver, notify_urls

    urls = notify_urls(notify or Config.resolve().get(config.NOTIFY))
    alert = Alert("finished", time.time(), "ccdeck test alert", "Alerts from ccdeck reach you here.")
    deliver(urls, alert)
    typer.echo(f"test alert sent to {len(urls)} URL{'s' if len(urls) > 1 else ''}")


def register(app: typer.Typer) -> None:
    for name, group in (("statusline", statusline_app), ("hooks", hooks_app), ("notify", notify_app)):
        app.add_typer(group, name=name, short_help=commands.COMMANDS[name])
