"""`ccdeck --help` answered before the command line's imports (`ccdeck.entry`, `ccdeck.commands`) lists what the
Typer command line knows, with the same one-line helps."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from ccdeck import cli, commands, entry

Capsys = pytest.CaptureFixture[str]


def _visible(group: object) -> dict[str, object]:
    found = {name: getattr(group, "commands", {})[name] for name in group.list_commands(None)}  # type: ignore[attr-defined]
    return {name: command for name, command in found.items() if not getattr(command, "hidden", False)}


def test_the_declaration_names_the_commands_typer_knows_in_its_order() -> None:
    assert list(_visible(cli.command_tree())) == list(commands.COMMANDS)


def test_typer_lists_each_command_with_the_declared_line() -> None:
    for name, command in _visible(cli.command_tree()).items():
        assert command.short_help == commands.COMMANDS[name], name  # type: ignore[attr-defined]


def test_the_root_options_are_the_declared_ones() -> None:
    tree = cli.command_tree()
    declared = {flag.split(",")[0]: text for flag, text in commands.OPTIONS.items()}
    options = {param.opts[0]: param.help for param in tree.params}
    help_option = tree.get_help_option(typer.Context(tree))
    options[help_option.opts[0]] = help_option.help
    assert options == declared


@pytest.mark.parametrize("argv", [[], ["--help"]], ids=["bare", "--help"])
def test_the_fast_help_lists_every_command_and_its_line(capsys: Capsys, argv: list[str]) -> None:
    assert entry.main(argv) == 0
    out = capsys.readouterr().out
    rows = out.split("Commands:\n", 1)[1]
    listed = [line.split()[0] for line in rows.splitlines() if line.startswith("  ") and line[2] != " "]
    assert listed == list(commands.COMMANDS)
    flat = " ".join(out.split())
    for text in [commands.APP_HELP, *commands.COMMANDS.values(), *commands.OPTIONS.values()]:
        assert " ".join(text.split()) in flat


@pytest.mark.parametrize("columns", ["60", "80", "200"])
def test_the_fast_help_fits_its_width(capsys: Capsys, monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    entry.main(["--help"])
    longest = max(len(line) for line in capsys.readouterr().out.splitlines())
    assert longest <= min(int(columns), 100)


def test_the_fast_help_imports_neither_typer_nor_rich() -> None:
    code = (
        "import sys, io; from ccdeck import entry; sys.stdout = io.StringIO(); entry.main(['--help']);"
        "sys.stdout = sys.__stdout__; print(sorted(m for m in ('typer', 'rich', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_helps_of_commands_outside_the_launch_ones_load_no_store() -> None:
    helps = [[name, "--help"] for name in commands.COMMANDS if name not in commands.RUN_COMMANDS]
    helps += [["usage", name, "--help"] for name in ("daily", "weekly", "monthly", "session", "blocks", "machines")]
    code = (
        "import sys, io; from ccdeck import cli; sys.stdout = io.StringIO()\n"
        f"codes = [cli.main(args) for args in {helps!r}]\n"
        "sys.stdout = sys.__stdout__\n"
        "print(set(codes), sorted(m for m in ('sqlalchemy', 'alembic', 'ccdeck.ingest.pipeline') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "{0} []"
