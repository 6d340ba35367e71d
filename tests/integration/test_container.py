"""The container image: the Dockerfile's stages and runtime settings, compose.yaml and .dockerignore, checked as
files everywhere; and, where a container engine runs and has the base images locally (nothing is pulled), the image
built and serving the dashboard behind its token.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from ccdeck import config
from ccdeck.db_target import DbTarget

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
NODE_IMAGE = "node:22-slim"
PYTHON_IMAGE = "python:3.11-slim"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of each Dockerfile line, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [(w[0].upper(), w[1] if len(w) > 1 else "") for line in lines if line and not line.startswith("#")
            for w in [line.split(None, 1)]]  # fmt: skip


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for op, args in _instructions():
        if op == "FROM":
            stages.append([])
        stages[-1].append((op, args))
    return stages


def _values(stage: list[tuple[str, str]], op: str) -> list[str]:
    return [args for o, args in stage if o == op]


def test_dockerfile_builds_the_dashboard_then_the_wheel_then_a_slim_runtime() -> None:
    node, wheel, runtime = _stages()
    assert _values(node, "FROM") == [f"{NODE_IMAGE} AS frontend"]
    assert "npm ci --no-audit --no-fund" in _values(node, "RUN")
    assert "npm run build" in _values(node, "RUN")
    # Where vite writes the build (vite.config.ts's outDir, from the stage's frontend/ folder) is what the wheel
    # stage copies into the package.
    (workdir,) = _values(node, "WORKDIR")
    out_dir = re.search(r'outDir:\s*"([^"]+)"', (ROOT / "frontend" / "vite.config.ts").read_text())
    assert out_dir is not None
    built = posixpath.normpath(posixpath.join(workdir, out_dir.group(1)))
    assert f"--from=frontend {built}/ src/ccdeck/web/static/" in _values(wheel, "COPY")
    assert _values(wheel, "FROM") == [f"{PYTHON_IMAGE} AS wheel"]
    assert _values(runtime, "FROM") == [PYTHON_IMAGE]
    assert any("pip install" in run and "ccdeck-*.whl" in run for run in _values(runtime, "RUN"))


def test_dockerfile_runtime_is_unprivileged_with_a_data_volume_and_a_read_only_config_dir() -> None:
    runtime = _stages()[-1]
    (user,) = _values(runtime, "USER")
    assert user not in {"root", "0"}
    assert _values(runtime, "VOLUME") == ['["/data"]']
    assert _values(runtime, "EXPOSE") == ["8484"]
    env = " ".join(_values(runtime, "ENV"))
    assert f"{config.DB.env}=/data/ccdeck.db" in env
    assert "CLAUDE_CONFIG_DIR=/claude" in env
    assert _values(runtime, "ENTRYPOINT") == ['["ccdeck"]']
    (cmd,) = _values(runtime, "CMD")
    assert '"serve", "--host", "0.0.0.0", "--port", "8484", "--config-dir", "/claude"' in cmd


def test_every_file_the_dockerfile_copies_is_in_the_build_context() -> None:
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv", "**/node_modules", "bench/out", ".git", "src/ccdeck/web/static"} <= ignored
    for op, args in _instructions():
        if op == "COPY" and not args.startswith("--from="):
            for source in args.split()[:-1]:
                assert (ROOT / source).exists(), source
                assert source.rstrip("/") not in ignored, source


def test_compose_mounts_the_config_dir_read_only_and_keeps_the_database_on_a_volume() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    ccdeck = compose["services"]["ccdeck"]
    assert ccdeck["build"] == "."
    assert any(v.endswith(":/claude:ro") for v in ccdeck["volumes"])
    assert "ccdeck-data:/data" in ccdeck["volumes"]
    assert "ccdeck-data" in compose["volumes"]
    assert config.TOKEN.env in ccdeck["environment"]
    assert all(p.startswith("127.0.0.1:") for p in ccdeck["ports"])
    assert set(compose["services"]) == {"ccdeck", "postgres"}


def test_compose_stores_in_its_postgresql_service_once_it_is_ready() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    ccdeck, postgres = compose["services"]["ccdeck"], compose["services"]["postgres"]
    target = DbTarget.parse(
        ccdeck["environment"][config.DB.env].replace("${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}", "pw")
    )
    assert target.url is not None and "@postgres:5432/ccdeck" in target.argument()
    assert ccdeck["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert config.MACHINE.env in ccdeck["environment"]
    assert postgres["image"].startswith("postgres:15")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert "ports" not in postgres  # the database stays inside the compose network unless published on purpose


def _engine() -> str:
    """A container engine that runs and holds both base images, else skip with the reason."""
    found = [e for e in ("podman", "docker") if shutil.which(e)]
    if not found:
        pytest.skip("no container engine (podman or docker) on PATH")
    engine = found[0]
    if subprocess.run([engine, "info"], check=False, capture_output=True).returncode != 0:
        pytest.skip(f"{engine} cannot run containers here (`{engine} info` fails: no daemon or no permission)")
    for image in (NODE_IMAGE, PYTHON_IMAGE):
        if subprocess.run([engine, "image", "inspect", image], check=False, capture_output=True).returncode != 0:
            pytest.skip(f"base image {image} is not present locally and is never pulled by the tests")
    return engine


@pytest.fixture
def image() -> Iterator[tuple[str, str]]:
    engine = _engine()
    tag = f"ccdeck-test:{uuid.uuid4().hex[:12]}"
    subprocess.run([engine, "build", "--pull=false", "-t", tag, str(ROOT)], check=True, capture_output=True)
    try:
        yield engine, tag
    finally:
        subprocess.run([engine, "rmi", "-f", tag], check=False, capture_output=True)


def test_image_serves_the_dashboard_behind_its_token(image: tuple[str, str], tmp_path: Path) -> None:
    engine, tag = image
    claude = tmp_path / "claude"
    (claude / "projects").mkdir(parents=True)
    claude.chmod(0o755)
    name = f"ccdeck-test-{uuid.uuid4().hex[:12]}"
    token = uuid.uuid4().hex
    run = [engine, "run", "-d", "--name", name, "-p", "127.0.0.1::8484", "-e", f"{config.TOKEN.env}={token}",
           "-v", f"{claude}:/claude:ro", tag]  # fmt: skip
    subprocess.run(run, check=True, capture_output=True)
    try:
        uid = subprocess.run([engine, "exec", name, "id", "-u"], check=True, capture_output=True, text=True)
        assert uid.stdout.strip() != "0"
        port = subprocess.run([engine, "port", name, "8484"], check=True, capture_output=True, text=True)
        url = "http://127.0.0.1:" + port.stdout.split()[0].rsplit(":", 1)[1]
        auth = {"Authorization": f"Bearer {token}"}
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(url + "/api/health", headers=auth, timeout=10)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the container's server did not answer within 60 s"
                time.sleep(0.2)
        assert health.status_code == 200
        page = httpx.get(url + "/", headers=auth, timeout=10)
        assert page.status_code == 200
        assert '<script type="module"' in page.text
        assert httpx.get(url + "/api/health", timeout=10).status_code == 401
    finally:
        subprocess.run([engine, "rm", "-f", name], check=False, capture_output=True)
