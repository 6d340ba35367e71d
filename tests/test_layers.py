"""The layers, as the source says them: terminal drawing (Rich) lives in `ccdeck.render` and the command line
(`cli*.py`) alone, and only the command line draws; the layers below it import neither. Every import counts, at
the top of a module, inside a function or under `TYPE_CHECKING`."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import ccdeck

SRC = Path(ccdeck.__file__).parent
BELOW_THE_CLI = ("orchestrator", "live", "reports", "store", "ingest", "claude")


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> Iterator[str]:
    """Every module `path` imports (`from a import b` gives `a` and `a.b`: `b` may be a module)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@functools.cache
def imports() -> dict[str, set[str]]:
    return {module_name(path): set(imported(path)) for path in sorted(SRC.rglob("*.py"))}


def is_in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def is_cli(name: str) -> bool:
    return name.startswith("ccdeck.cli")


def test_only_the_command_line_and_its_rendering_import_rich() -> None:
    allowed = [name for name in imports() if is_in(name, "ccdeck.render") or is_cli(name)]
    assert "ccdeck.render.fit" in allowed and "ccdeck.cli" in allowed
    offenders = {name: sorted(i for i in found if is_in(i, "rich"))
                 for name, found in imports().items() if name not in allowed}  # fmt: skip
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_layers_below_the_command_line_neither_draw_nor_call_it() -> None:
    below = [f"ccdeck.{package}" for package in BELOW_THE_CLI]
    offenders = {
        name: sorted(i for i in found if is_in(i, "ccdeck.render") or is_cli(i))
        for name, found in imports().items()
        if any(is_in(name, package) for package in below)
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_rendering_is_the_command_lines_alone() -> None:
    """`ccdeck.render` is drawn from by the command line (and the entry point's fast paths) only."""
    users = {name for name, found in imports().items() if any(is_in(i, "ccdeck.render") for i in found)}
    others = {name for name in users if not (is_in(name, "ccdeck.render") or is_cli(name) or name == "ccdeck.entry")}
    assert others == set()


def test_the_rule_sees_imports_wherever_they_are(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from rich.console import Console\n"
        "def f():\n    import rich.live\n    from ccdeck import render\n"
    )
    assert {"rich.console", "rich.live", "ccdeck.render"} <= set(imported(source))
