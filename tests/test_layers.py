"""The layers, as the source says them. Dependencies flow one way (`LAYERS`, drawn in the README's "How it works"):
a module imports its own package and the layers below it, never one beside or above it. Terminal drawing (Rich)
lives in `ccdeck.render` and the command line (`cli*.py`) alone, and only the command line draws. Every import
counts, at the top of a module, inside a function or under `TYPE_CHECKING`."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import ccdeck

SRC = Path(ccdeck.__file__).parent
BELOW_THE_CLI = ("orchestrator", "live", "reports", "store", "ingest", "otel", "claude")
# Bottom to top. A top-level module or package of `ccdeck` not named here fails the test: say where it belongs.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset(
        {"__init__", "errors", "paths", "db_target", "pids", "shapes", "models", "config", "billing_blocks", "commands"}
    ),
    frozenset({"claude"}),
    frozenset({"store"}),
    frozenset({"ingest", "reports", "otel"}),
    frozenset({"live", "orchestrator"}),  # the live view and runs are independent of each other
    frozenset({"web", "render"}),
    frozenset({"cli", "entry", "statusline", "__main__"}),
)
SAME_LAYER_ALLOWED = LAYERS[0] | LAYERS[-1]  # the base modules build on each other, as do the command line's


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


def part(name: str) -> str:
    """`ccdeck.store.rows` -> `store`; every `ccdeck.cli*` module -> `cli`."""
    top = name.split(".")[1] if "." in name else "__init__"
    return "cli" if top.startswith("cli") else top


def layer(name: str) -> int:
    found = [i for i, parts in enumerate(LAYERS) if part(name) in parts]
    assert found, f"{name}: which layer? (add its package to LAYERS)"
    return found[0]


def test_dependencies_flow_one_way() -> None:
    offenders: dict[str, list[str]] = {}
    for name, found in imports().items():
        mine = layer(name)
        for other in found:
            if not is_in(other, "ccdeck") or other in ("ccdeck", "ccdeck.__version__") or part(other) == part(name):
                continue
            theirs = layer(other)
            if theirs > mine or (theirs == mine and part(name) not in SAME_LAYER_ALLOWED):
                offenders.setdefault(name, []).append(other)
    assert offenders == {}


def test_the_layer_rule_fails_on_an_upward_import() -> None:
    assert layer("ccdeck.store.rows") < layer("ccdeck.ingest.scan") < layer("ccdeck.live.monitor")
    assert layer("ccdeck.live.monitor") == layer("ccdeck.orchestrator.child")  # beside: neither may import the other
    assert part("ccdeck.cli_usage") == "cli" and part("ccdeck") == "__init__"


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
