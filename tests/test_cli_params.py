"""Options coerced without pydantic (`ccdeck.cli_params`) get what Typer's own coercion gives them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer._coercion import build_runtime_param

from ccdeck import cli
from ccdeck.cli_params import DirectParam, direct_conversion

SAMPLES = ["plain", "", "with space", "~/x/../y", "12", "-", "é/ü"]


def _params() -> Iterator[tuple[str, Any]]:
    def walk(command: Any, path: str) -> Iterator[tuple[str, Any]]:
        for param in command.params:
            yield f"{path} {param.name}", param
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")

    yield from walk(TREE, "ccdeck")


TREE = cli.command_tree()
PARAMS = [(name, param) for name, param in _params() if hasattr(param, "type_descriptor")]
DIRECT = [(name, param) for name, param in PARAMS if direct_conversion(param.type_descriptor) is not None]


def _both(param: Any, value: Any) -> tuple[Any, Any]:
    ours, typers = _both_coercers(param)
    return ours(value), typers(value)


def test_the_report_options_are_coerced_directly() -> None:
    names = {name for name, _ in DIRECT}
    for option in ("since", "until", "timezone", "project", "config_dir", "db"):
        assert f"ccdeck usage daily {option}" in names


@pytest.mark.parametrize(("name", "param"), DIRECT, ids=[name for name, _ in DIRECT])
def test_a_direct_coercion_gives_what_typer_gives(name: str, param: Any) -> None:
    values: list[Any] = [None]
    values += [tuple(SAMPLES), ("one",)] if param.multiple else SAMPLES
    for value in values:
        ours, typers = _both(param, value)
        assert (ours, type(ours)) == (typers, type(typers)), (name, value)


@pytest.mark.parametrize("value", ["0", "-3", "x", "7"])
def test_other_options_keep_typers_coercion_and_errors(value: str) -> None:
    param = next(p for name, p in PARAMS if name == "ccdeck sessions limit")
    assert direct_conversion(param.type_descriptor) is None
    outcomes = []
    for coerce in _both_coercers(param):
        try:
            outcomes.append(("value", coerce(value)))
        except typer.BadParameter as exc:
            outcomes.append(("error", exc.format_message()))
    assert outcomes[0] == outcomes[1]


def _both_coercers(param: Any) -> list[Any]:
    ctx = typer.Context(TREE)
    desc = param.type_descriptor
    runtimes = [DirectParam(desc.parameter_info, desc.annotation, desc), build_runtime_param(desc)]
    return [lambda v, r=r: r.coerce(v, param=param, ctx=ctx) for r in runtimes]
