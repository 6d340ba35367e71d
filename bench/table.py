"""How every benchmark reports: number formats, target verdicts, the figures table, the machine and its load."""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.measure import Measurement


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def fmt_number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def fmt_ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or not denominator:
        return "—"
    return f"{numerator / denominator:.2f}×"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def seconds_cell(m: Measurement) -> str:
    """The median wall time, with the time the command printed itself when it did."""
    if not m.ok:
        return m.status()
    cell = fmt_seconds(m.seconds)
    return cell + (f" (in-process {fmt_seconds(m.in_process_seconds)})" if m.in_process_seconds is not None else "")


def verdict(ok: bool | None) -> str:
    """The "Met" cell of a target: yes, **no**, or n/a when the figure is missing."""
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def within(value: float | None, limit: float | None) -> bool | None:
    return None if value is None or limit is None else value <= limit


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def section(*parts: str) -> str:
    """A results section: its non-empty parts, a blank line apart."""
    return "\n\n".join(part for part in parts if part)


def load_1min() -> float:
    """Other work on the machine skews every figure: each benchmark notes how busy it was."""
    return os.getloadavg()[0]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, str]:
    return {
        "cpu": cpu_model(),
        "cores": f"{psutil.cpu_count(logical=True)} logical / {psutil.cpu_count(logical=False)} physical",
        "ram": f"{psutil.virtual_memory().total / (1 << 30):.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load average (1 min)": f"{load_1min():.2f}",
    }


def machine_line(info: Mapping[str, str] | None = None) -> str:
    info = machine_info() if info is None else info
    return "Machine: " + "; ".join(f"{key} {value}" for key, value in info.items())
