"""A throwaway PostgreSQL cluster for the tests: `initdb` + `pg_ctl` in a temporary folder, on loopback.

Never a system service: the cluster lives in its own folder, listens on 127.0.0.1 (and a Unix socket in that folder)
on a free port, and is stopped (`pg_ctl stop -m immediate`) and removed at the end. PostgreSQL refuses to run as
root, so when the tests run as root the folder belongs to the package's `postgres` user and every server command
runs as that user (`runuser -u postgres --`). Durability is off (`fsync`, `synchronous_commit`,
`full_page_writes`): a test database never outlives its test.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "ccdeck"
START_ATTEMPTS = 5
_names = itertools.count(1)


def find_bindir() -> Path | None:
    """The folder of PostgreSQL's server programs (`initdb`, `pg_ctl`), or None when they are not installed."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout
            candidates.append(Path(out.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(os.path.realpath(initdb)).parent)
    return next((c for c in candidates if (c / "initdb").is_file() and (c / "pg_ctl").is_file()), None)


def _version_key(path: Path) -> int:
    name = path.parent.name
    return int(name) if name.isdigit() else 0


def missing_reason() -> str | None:
    """Why a cluster cannot start here (one line), or None when it can."""
    if find_bindir() is None:
        return "PostgreSQL's initdb/pg_ctl are not installed (`make postgresql` installs Debian's package)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run PostgreSQL as"
    return None


@dataclass
class PgCluster:
    """A running cluster: `url(name)` for a database in it, `create_database()` for a fresh one."""

    root: Path
    port: int
    bindir: Path
    run_as: str | None
    created: list[str] = field(default_factory=list)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres", *, password: str | None = None) -> str:
        auth = f"{SUPERUSER}:{password}" if password else SUPERUSER
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        """One statement outside a transaction (CREATE/DROP DATABASE), as the superuser."""
        import psycopg  # only the PostgreSQL tests need the driver loaded

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql.encode())

    def create_database(self) -> str:
        """A fresh, empty database; returns its name."""
        name = f"t_{os.getpid()}_{next(_names)}"
        self.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, closing whatever connections a test left open on it."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop at once (nothing in it needs to survive) and remove the folder."""
        try:
            _run(self, [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _run(cluster: PgCluster, argv: list[str]) -> subprocess.CompletedProcess[str]:
    if cluster.run_as:
        argv = ["runuser", "-u", cluster.run_as, "--", *argv]
    return subprocess.run(argv, cwd=cluster.root, capture_output=True, text=True, check=True, timeout=120)


def _free_port() -> int:
    """A port nobody listens on now. PostgreSQL cannot bind port 0 and report it, so the start is retried on
    another port when someone takes this one meanwhile."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port if port > 1024 else random.randint(20000, 60000)


def start_cluster(*, durable: bool = False) -> PgCluster:
    """initdb + pg_ctl start in a new temporary folder; raises RuntimeError with PostgreSQL's message on failure.
    `durable` keeps PostgreSQL's own durability settings (the benchmarks' figures), else they are off."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError(missing_reason() or "PostgreSQL is not installed")
    run_as = "postgres" if os.geteuid() == 0 else None
    # Directly under the system temp dir: pytest's own tmp folders are private to root, and `postgres` must reach it.
    root = Path(tempfile.mkdtemp(prefix="ccdeck-pg-"))
    if run_as:
        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    cluster = PgCluster(root=root, port=0, bindir=bindir, run_as=run_as)
    try:
        _run(cluster, [str(bindir / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", SUPERUSER,
                       "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
        _start(cluster, durable)
    except BaseException as e:
        shutil.rmtree(root, ignore_errors=True)
        if isinstance(e, subprocess.CalledProcessError):
            raise RuntimeError(f"PostgreSQL did not start: {_failure(cluster, e)}") from e
        raise
    return cluster


def _failure(cluster: PgCluster, e: subprocess.CalledProcessError) -> str:
    log = cluster.root / "log"
    tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
    return " / ".join([(e.stderr or e.stdout or "").strip(), *tail])


def _start(cluster: PgCluster, durable: bool) -> None:
    speed = "" if durable else "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB "
    options = f"{speed}-c max_connections=300 -k {cluster.root} -h 127.0.0.1"
    for attempt in range(START_ATTEMPTS):
        cluster.port = _free_port()
        argv = [str(cluster.bindir / "pg_ctl"), "-D", str(cluster.data), "-l", str(cluster.root / "log"),
                "-o", f"{options} -p {cluster.port}", "-w", "-t", "60", "start"]  # fmt: skip
        try:
            _run(cluster, argv)
            return
        except subprocess.CalledProcessError:
            if attempt == START_ATTEMPTS - 1:
                raise


@contextlib.contextmanager
def running_cluster(*, durable: bool = False) -> Iterator[PgCluster]:
    """A cluster for the duration of the block (`durable`: as `start_cluster`)."""
    cluster = start_cluster(durable=durable)
    try:
        yield cluster
    finally:
        cluster.stop()
