"""Where the runs' SQL lives, as the source says it: the orchestrator holds no SQL text and imports no SQLAlchemy
(its reads and writes are the store's named functions), and the store modules the fast paths use (`status`,
`run --detach`, a supervisor recording itself) import no SQLAlchemy either, wherever the import is."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import ccdeck

SRC = Path(ccdeck.__file__).parent
SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|PRAGMA|BEGIN|COMMIT)\b")
FAST_STORE = ("run_queries", "run_records", "run_states", "revision", "reader")


def imported(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def strings(path: Path) -> Iterator[str]:
    """The string constants of the module that are not docstrings."""
    tree = ast.parse(path.read_text(), str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


def test_the_orchestrator_holds_no_sql() -> None:
    modules = sorted((SRC / "orchestrator").glob("*.py"))
    assert modules
    with_sql = {p.name: found for p in modules if (found := [s for s in strings(p) if SQL.search(s)])}
    assert with_sql == {}
    with_sqlalchemy = {p.name for p in modules if any(i.split(".")[0] == "sqlalchemy" for i in imported(p))}
    assert with_sqlalchemy == set()


def test_the_fast_paths_store_modules_do_without_sqlalchemy() -> None:
    for name in FAST_STORE:
        found = set(imported(SRC / "store" / f"{name}.py"))
        assert not {i for i in found if i.split(".")[0] in ("sqlalchemy", "alembic")}, name
        assert {i for i in found if i.startswith("ccdeck.")} <= {f"ccdeck.store.{n}" for n in FAST_STORE}, name


def test_the_rule_sees_sql_and_skips_docstrings(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text('"""SELECT in a docstring is prose."""\nQ = "SELECT id FROM runs"\n')
    assert [s for s in strings(source) if SQL.search(s)] == ["SELECT id FROM runs"]
