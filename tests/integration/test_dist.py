"""The wheel installs like any Python tool: in a fresh virtual environment, with no Node on PATH, `ccdeck serve`
serves the built dashboard it carries.

Needs the dashboard built (`make frontend`; `make test` builds it first) and `uv` (`make install` installs it);
the wheel's dependencies come from uv's cache, else PyPI.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC_INDEX = ROOT / "src" / "ccdeck" / "web" / "static" / "index.html"
URL = re.compile(r"(http://127\.0\.0\.1:\d+)/")
SCRIPT = re.compile(r'<script type="module"[^>]*src="(/assets/[^"]+\.js)"')


def _uv() -> str:
    found = shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    if not Path(found).is_file():
        pytest.skip("uv is not installed (`make install` installs it)")
    return found


def _without_node(path: str) -> str:
    """PATH without the folders that hold a `node`: the installed tool must not need it."""
    return os.pathsep.join(d for d in path.split(os.pathsep) if d and not (Path(d) / "node").exists())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not STATIC_INDEX.is_file():
        pytest.skip("the dashboard is not built (src/ccdeck/web/static/index.html): run `make frontend`")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([_uv(), "build", "--wheel", "--out-dir", str(out), str(ROOT)], check=True, capture_output=True)
    (built,) = out.glob("ccdeck-*.whl")
    return built


def test_the_wheel_carries_the_built_dashboard(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "ccdeck/web/static/index.html" in names
    assets = {n for n in names if n.startswith("ccdeck/web/static/assets/")}
    built = {f"ccdeck/web/static/assets/{p.name}" for p in (STATIC_INDEX.parent / "assets").iterdir()}
    assert built <= assets
    assert any(n.endswith(".js") for n in assets)
    assert any(n.endswith(".css") for n in assets)


def _read_lines(stream: object, lines: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)


def _served_url(child: subprocess.Popen[str], lines: queue.Queue[str], seen: list[str]) -> str:
    while True:
        try:
            line = lines.get(timeout=60)
        except queue.Empty:
            raise AssertionError("`ccdeck serve` printed no URL within 60 s:\n" + "".join(seen)) from None
        seen.append(line)
        if found := URL.search(line):
            return found.group(1)
        assert child.poll() is None, "`ccdeck serve` exited:\n" + "".join(seen)


def _wait_until_up(url: str, child: subprocess.Popen[str], seen: list[str]) -> httpx.Response:
    """`/api/health` once it answers: the URL is printed just before the server binds."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(url + "/api/health", timeout=10)
        except httpx.ConnectError:
            assert child.poll() is None, "`ccdeck serve` exited:\n" + "".join(seen)
            assert time.monotonic() < deadline, "`ccdeck serve` did not answer within 60 s"
            time.sleep(0.05)


def test_installed_wheel_serves_the_dashboard_without_node(
    wheel: Path, tmp_path: Path, child_env: dict[str, str]
) -> None:
    venv = tmp_path / "venv"
    uv = _uv()
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, capture_output=True)
    subprocess.run([uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)],
                   check=True, capture_output=True)  # fmt: skip
    config = tmp_path / "claude"
    (config / "projects").mkdir(parents=True)
    env = {**child_env, "PATH": _without_node(child_env.get("PATH", os.defpath))}
    assert shutil.which("node", path=env["PATH"]) is None
    args = [str(venv / "bin" / "ccdeck"), "serve", "--port", "0", "--config-dir", str(config),
            "--db", str(tmp_path / "ccdeck.db")]  # fmt: skip
    child = subprocess.Popen(args, env=env, cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_read_lines, args=(child.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        url = _served_url(child, lines, seen)
        health = _wait_until_up(url, child, seen)
        assert health.status_code == 200
        assert "scan" in health.json()
        page = httpx.get(url + "/", timeout=10)
        assert page.status_code == 200
        script = SCRIPT.search(page.text)
        assert script is not None, page.text
        asset = httpx.get(url + script.group(1), timeout=10)
        assert asset.status_code == 200
        assert "javascript" in asset.headers["content-type"]
    finally:
        child.send_signal(signal.SIGINT)
        try:
            code = child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            raise
    assert code == 0, "".join(seen)
