"""Shared pytest setup for all suites."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from core_fixtures import run_env, write_report_config
from pg_cluster import PgCluster, missing_reason, start_cluster
from webhook import Receiver

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# Shared fixtures (tests/ is not a package: pytest puts this directory on sys.path):
# - fakeapi.fixtures: the real Claude Code CLI against a fake Messages API: claude_bin, fake_api, claude_sandbox,
#   claude;
# - web.server_fixture: a real ccdeck server on loopback: serve, live_server, empty_server.
pytest_plugins = ["fakeapi.fixtures", "web.server_fixture"]

TESTS = Path(__file__).parent
CHROMIUM = os.environ.get("CCDECK_CHROMIUM", "/usr/bin/chromium")

# `make check` runs `-m "not slow"`: tests are marked here, by what they use, so that a new test lands in the right
# set by itself. Slow: a real server (`serve`, `live_server`), a browser (`browser`), the real Claude Code CLI
# (`claude_bin`), the fake Messages API (`fake_api`), `ccdeck` as a child process (`child_env`), or a test in a
# folder of such tests.
SLOW_FIXTURES = frozenset({"serve", "live_server", "browser", "claude_bin", "fake_api", "child_env"})
SLOW_FOLDERS = frozenset({"browser", "integration"})


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        folder = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else ""
        if "browser" in used:
            item.add_marker(pytest.mark.browser)
        if "claude_bin" in used:
            item.add_marker(pytest.mark.cli)
        if used & SLOW_FIXTURES or folder in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _no_inherited_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables laid out the same wherever the tests run: a test that wants a width sets `COLUMNS` itself."""
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A live process for a registry entry to point at (its pid and `procStart` are real), killed at the end."""
    child = subprocess.Popen(["sleep", "300"])
    try:
        yield child
    finally:
        child.kill()
        child.wait()


@pytest.fixture
def child_env() -> dict[str, str]:
    """The environment for `ccdeck` as a real child process (`core_fixtures.run_env()`): a test that uses it pays
    the command's start-up each time, and is marked slow."""
    return run_env()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgCluster]:
    """A throwaway PostgreSQL cluster on loopback for this test session (each xdist worker starts its own, on first
    use), stopped and removed at the end. Without PostgreSQL's binaries the test is skipped with the reason."""
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_server: PgCluster) -> Iterator[str]:
    """The URL of a fresh, empty database of `pg_server` (`postgresql://ccdeck@127.0.0.1:PORT/t_…`), dropped at the
    end (with whatever connections the test left open on it)."""
    name = pg_server.create_database()
    try:
        yield pg_server.url(name)
    finally:
        pg_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path | str:
    """Where a test's store lives, once per engine: a SQLite file in `tmp_path` (a Path), or the URL of a fresh
    PostgreSQL database (`pg_url`, a str; skipped with the reason when PostgreSQL is not installed). With a URL,
    what ccdeck keeps beside its database (mutes, runs' logs) goes to `tmp_path` too (`XDG_DATA_HOME`)."""
    if request.param == "sqlite":
        return tmp_path / "ccdeck.db"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on loopback (`receiver.url` is a `json://` URL for `notify`); stopped at the end."""
    r = Receiver()
    try:
        yield r
    finally:
        r.close()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The config dir of `core_fixtures.REPORT_RESPONSES` (the data of the tests of the command line)."""
    path = tmp_path / "config"
    write_report_config(path)
    return path


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables printed 250 columns wide, whatever terminal runs the tests."""
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def utc_local() -> Iterator[None]:
    """The machine's local zone is UTC while the test runs (commands without --timezone use it)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


# Per test, not per session: Playwright's sync API holds an event loop on this thread while it is open, and other
# tests that the same worker runs later call asyncio.run().
@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright. Missing: the test is skipped, except in CI, where it fails."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's Chromium")
        pytest.skip(f"{CHROMIUM} is missing (run `make chromium`)")
    from playwright.sync_api import sync_playwright  # only the browser tests need it

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        yield launched
        launched.close()
