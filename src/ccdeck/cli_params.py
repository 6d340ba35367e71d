"""Option values without pydantic where pydantic would only call `str` or `Path` on them.

Typer 0.29 (the locked version) coerces every option value through a pydantic `TypeAdapter` it builds on the
option's first use, even for an option left out: importing pydantic and building the adapters takes about 0.1 s,
half of what a warm report may take in all, to turn a string into itself or into a `Path`. `direct_coercion` gives
each option of a built command a coercer that does these directly (`str`, `Path`, `list[Path]`, without
constraints), and builds Typer's own for any other option (an `int` with bounds, a choice) when a value comes: the
same values and the same errors. `tests/test_cli_params.py` checks both against Typer's own coercion. It uses
Typer's private `_coercion` module: a Typer without it (before 0.29) has no adapters to avoid, and `cli` then goes
without this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer._click import Context
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param


def _as_path_list(value: Any) -> list[Path]:
    return [Path(item) for item in value]


# What the adapter of each plain annotation does to the strings of a command line.
_DIRECT: dict[Any, Callable[[Any], Any]] = {str: str, Path: Path, list[Path]: _as_path_list}


@dataclass(frozen=True)
class DirectParam(RuntimeParam):
    """Coerces `str`, `Path` and `list[Path]` values directly; anything else through Typer's own, built on use."""

    descriptor: TypeDescriptor

    def _coerce_value(self, value: Any, param: Any, ctx: Context) -> Any:
        convert = direct_conversion(self.descriptor)
        if convert is not None and _strings(value):
            return convert(value)
        return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)


def direct_conversion(descriptor: TypeDescriptor) -> Callable[[Any], Any] | None:
    """The conversion Typer's adapter would apply to strings, for an option without constraints; else None."""
    info = descriptor.parameter_info
    plain = info.parser is None and info.min is None and info.max is None and descriptor.file_annotation is None
    plain = plain and not descriptor.is_choice
    return _DIRECT.get(descriptor.annotation) if plain else None


def _strings(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list | tuple) and all(isinstance(v, str) for v in value))


def direct_coercion(param: Any) -> None:
    """Give a Typer parameter a `DirectParam` (before its first use; other parameters are left alone)."""
    descriptor = getattr(param, "type_descriptor", None)
    if isinstance(descriptor, TypeDescriptor) and getattr(param, "_runtime_param", "") is None:
        param._runtime_param = DirectParam(descriptor.parameter_info, descriptor.annotation, descriptor)
