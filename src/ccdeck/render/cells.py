"""How one value is written in any table: a cost, a token count, a time, a model name, a project path; and the line
a command prints when it found nothing. One function per kind, so every table says it the same way."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

NONE = "—"
_DATE_SUFFIX = re.compile(r"-\d{8}$")
_SEPARATORS = re.compile(r"[/\\]")
PROJECT_PARTS = 2  # a project shows as its last two folders (`…/work/app`), more only when two would look alike


def cost(value: float | None) -> str:
    """`$0.06`, `$1,234.50`; `—` for an unpriced (null) cost."""
    return NONE if value is None else f"${value:,.2f}"


def tokens(value: int | None) -> str:
    return f"{value or 0:,}"


def duration(seconds: float | None) -> str:
    """`12.5s`, `3m05s`, `1h02m`; `—` when unknown."""
    if seconds is None:
        return NONE
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s" if minutes else f"{seconds:.1f}s"


def when(iso_text: str | None) -> str:
    """An ISO timestamp as local `YYYY-MM-DD HH:MM`."""
    if not iso_text:
        return NONE
    return datetime.fromisoformat(iso_text).astimezone().strftime("%Y-%m-%d %H:%M")


def _unambiguous(values: Iterable[str], steps: Sequence[Callable[[str], str]]) -> dict[str, str]:
    """Each value shortened by the first of `steps` (shortest first) that keeps it apart from every other value's
    short form; the last step must be injective."""
    level = dict.fromkeys(set(values), 0)
    while True:
        names = {value: steps[n](value) for value, n in level.items()}
        seen: dict[str, list[str]] = {}
        for value, name in names.items():
            seen.setdefault(name, []).append(value)
        clashing = [v for group in seen.values() if len(group) > 1 for v in group if level[v] < len(steps) - 1]
        if not clashing:
            return names
        for value in clashing:
            level[value] += 1


def model_names(models: Iterable[str]) -> dict[str, str]:
    """Short names for the models of one table: `claude-opus-4-5-20251101` is `opus-4-5`; when two models would
    then look alike, they keep their date, or their whole name."""
    return _unambiguous(
        models,
        (lambda m: _DATE_SUFFIX.sub("", m.removeprefix("claude-")), lambda m: m.removeprefix("claude-"), str),
    )


def _last_parts(count: int) -> Callable[[str], str]:
    def shorten(path: str) -> str:
        parts = [p for p in _SEPARATORS.split(path) if p]
        return path if len(parts) <= count else "…/" + "/".join(parts[-count:])

    return shorten


def project_names(paths: Iterable[str | None]) -> dict[str | None, str]:
    """Projects of one table as their last folders (`…/work/app`), as many as tell them apart; `—` for none."""
    given = {p for p in paths if p}
    longest = max((len(_SEPARATORS.split(p)) for p in given), default=0)
    steps = [_last_parts(n) for n in range(PROJECT_PARTS, longest)] + [str]
    names: dict[str | None, str] = {None: NONE, "": NONE}
    names.update(_unambiguous(given, steps))
    return names


def home_short(path: Path) -> str:
    """A path for people to read: the home folder as `~`."""
    try:
        return f"~/{path.relative_to(Path.home())}"
    except ValueError:
        return str(path)


def nothing_found(what: str, config_dirs: Sequence[Path], filters: Sequence[str], scanned: bool) -> str:
    """The line a report prints instead of an empty table: what was looked at, and what to try."""
    if not config_dirs:
        return f"no {what}: no Claude Code config dir found (~/.claude, ~/.config/claude); pass --config-dir DIR"
    where = ", ".join(home_short(d / "projects") for d in config_dirs)
    if filters:
        return f"no {what} match {' '.join(filters)} in {where}; try without them"
    hint = "run without --no-scan to read new lines" if not scanned else "pass --config-dir DIR to read another"
    return f"no {what} in {where}; {hint}"
