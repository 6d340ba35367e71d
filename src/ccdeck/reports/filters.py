"""Report filters from the command line: dates, time zone, project text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ccdeck.config import machine_list
from ccdeck.errors import UsageError
from ccdeck.store.usage_queries import Range

_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")


def parse_date(text: str, flag: str) -> date:
    """`YYYY-MM-DD` or `YYYYMMDD`."""
    match = _DATE.match(text.strip())
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise UsageError(f"{flag}: {text!r} is not a date; use YYYY-MM-DD (or YYYYMMDD)")


def parse_timezone(name: str | None) -> tzinfo:
    """An IANA zone name; the machine's local zone when None."""
    if name is None:
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--timezone: unknown time zone {name!r}; use an IANA name such as Europe/Paris or UTC"
        ) from None


@dataclass(frozen=True)
class Filters:
    """A time range in epoch seconds (`since` inclusive, `until` exclusive), a zone, a project substring and the
    machines rows came from (none: every machine)."""

    tz: tzinfo
    since: float | None = None
    until: float | None = None
    project: str | None = None
    machines: tuple[str, ...] = ()

    @classmethod
    def from_cli(
        cls,
        since: str | None,
        until: str | None,
        timezone: str | None,
        project: str | None = None,
        machines: str | None = None,
    ) -> Filters:
        tz = parse_timezone(timezone)
        start = end = None
        if since:
            start = datetime.combine(parse_date(since, "--since"), time(), tz).timestamp()
        if until:  # --until names the last day included
            end = datetime.combine(parse_date(until, "--until") + timedelta(days=1), time(), tz).timestamp()
        if start is not None and end is not None and end <= start:
            raise UsageError("--until is before --since")
        names = machine_list(machines) if machines is not None else ()
        return cls(tz=tz, since=start, until=end, project=project or None, machines=names)

    @property
    def span(self) -> Range:
        """The range, project and machines, as the store's queries take them."""
        return Range(self.since, self.until, self.project, self.machines)
