"""Hostile requests against a real server: each one gets a 4xx (never a 5xx), nothing is launched, and the server
still answers afterwards."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from core_fixtures import run_cli
from web.server_fixture import LiveServer, Serve


@pytest.fixture
def server(serve: Serve, tmp_path: Path, db_target: Path | str) -> Iterator[LiveServer]:
    config = tmp_path / "config"
    (config / "projects").mkdir(parents=True)
    # A `claude` that passes the version check: a request that got past validation would really start a run.
    claude = tmp_path / "claude"
    claude.write_text("#!/bin/sh\necho '2.1.330 (Claude Code)'\n")
    claude.chmod(claude.stat().st_mode | stat.S_IXUSR)
    with serve(config, db_target, claude_bin=str(claude)) as live:
        yield live


def _task(**extra: object) -> bytes:
    return orjson.dumps({"tasks": [{"id": "a", "prompt": "hello", **extra}]})


def _raw(text: str) -> bytes:
    return text.encode()


JSON = "application/json"
ONE = '{"tasks":[{"id":"a","prompt":"x"}]'  # a valid start, to which a hostile `options` is added


GETS = [
    "/%00", "/%00.js", "/a%00b/c", "/assets/%00", "/docs/%00", "/assets/" + "a" * 5000, "/docs/" + "a" * 5000,
    "/api/sessions?page=1e20", "/api/sessions?page=100000000000000000000", "/api/sessions?pageSize=1e3",
    "/api/sessions/x/timeline?page=100000000000000000000", "/api/sessions?page=-1", "/api/sessions?since=%00",
    "/api/sessions?since=99999-99-99", "/api/usage?tz=Not/AZone", "/api/usage?tz=%00", "/api/sessions?state=%ff",
    "/api/runs?limit=1e99", "/api/runs/x/tasks/y/log?tail=1000000000000000000000000000000",
    "/api/runs/x/tasks/y/log?stream=secrets", "/api/sessions?machines=%00", "/api/sessions?machines=,,",
    "/api/usage?machines=" + "m" * 5000, "/api/summary?machines=a%2Cb%07",
]  # fmt: skip
POST_BODIES: list[tuple[str, bytes, str]] = [
    ("maxParallel 1e29", _raw(ONE + ',"options":{"maxParallel":1e29}}'), JSON),
    ("maxParallel 10**29", _raw(ONE + ',"options":{"maxParallel":100000000000000000000000000000}}'), JSON),
    ("maxParallel 10**9", _raw(ONE + ',"options":{"maxParallel":1000000000}}'), JSON),
    ("lone surrogate", _raw('{"tasks":[{"id":"a","prompt":"\\ud800"}]}'), JSON),
    ("NaN", _raw('{"tasks":[{"id":"a","prompt":"x","timeout_s":NaN}]}'), JSON),
    ("Infinity", _raw(ONE + ',"options":{"timeout":Infinity}}'), JSON),
    ("-Infinity", _raw('{"tasks":[{"id":"a","prompt":"x","budget_usd":-Infinity}]}'), JSON),
    ("1e400", _raw('{"tasks":[{"id":"a","prompt":"x","timeout_s":1e400}]}'), JSON),
    ("timeout 1e300", _task(timeout_s=1e300), JSON),
    ("deep nesting", b"[" * 100_000 + b"]" * 100_000, JSON),
    ("deep object", b'{"a":' * 5_000 + b"1" + b"}" * 5_000, JSON),
    ("oversized", b'{"tasks":"' + b"a" * (2 << 20) + b'"}', JSON),
    ("text/plain", _task(), "text/plain"),
    ("form", b"tasks=x", "application/x-www-form-urlencoded"),
    ("no content type", _task(), ""),
    ("empty body", b"", JSON),
    ("invalid JSON", b"{tasks:", JSON),
    ("invalid UTF-8", b'{"tasks":"\xff\xfe"}', JSON),
    ("array body", b"[]", JSON),
    ("tasks not a list", b'{"tasks":"x"}', JSON),
    ("NODE_OPTIONS", _task(env={"NODE_OPTIONS": "--require /tmp/x.js"}), JSON),
    ("LD_PRELOAD", _task(env={"LD_PRELOAD": "/tmp/x.so"}), JSON),
    ("ANTHROPIC_BASE_URL", _task(env={"ANTHROPIC_BASE_URL": "http://evil.example"}), JSON),
    ("lower-case env", _task(env={"node_options": "x"}), JSON),
    ("env name with =", _task(env={"A=B": "x"}), JSON),
    ("NUL in env", _raw('{"tasks":[{"id":"a","prompt":"x","env":{"A":"\\u0000"}}]}'), JSON),
    ("NUL in prompt", _raw('{"tasks":[{"id":"a","prompt":"x\\u0000y"}]}'), JSON),
    ("missing cwd", _task(cwd="/no/such/folder/anywhere"), JSON),
    ("cwd is a file", _task(cwd="/etc/hostname"), JSON),
    ("cwd ~nobody", _task(cwd="~no-such-user-anywhere"), JSON),
    ("cwd too long", _task(cwd="/" + "a" * 5000), JSON),
    ("bypassPermissions", _task(permission_mode="bypassPermissions"), JSON),
    ("bypass as option", _raw(ONE + ',"options":{"permissionMode":"bypassPermissions"}}'), JSON),
    ("task id path", _task(id="../../x"), JSON),
]  # fmt: skip


def test_hostile_requests_get_a_4xx_and_the_server_lives_on(server: LiveServer) -> None:
    own = {"Origin": server.url}
    answers: dict[str, int] = {}
    for path in GETS:
        answers[f"GET {path[:60]}"] = httpx.get(server.url + path, timeout=10).status_code
    for name, body, content_type in POST_BODIES:
        headers = {**own, **({"Content-Type": content_type} if content_type else {})}
        answers[f"POST {name}"] = httpx.post(
            server.url + "/api/runs", content=body, headers=headers, timeout=10
        ).status_code

    def chunks() -> Iterator[bytes]:  # no Content-Length: the size is counted while reading
        yield b'{"tasks":"'
        for _ in range(40):
            yield b"a" * 65536
        yield b'"}'

    chunked = httpx.post(
        server.url + "/api/runs", content=chunks(), headers={**own, "Content-Type": "application/json"}
    )
    answers["POST chunked oversized"] = chunked.status_code
    for origin in ("http://[::1", "null", "http://x:99999", "\x7f"):
        response = httpx.post(server.url + "/api/runs", content=_task(), headers={"Origin": origin})
        answers[f"POST Origin {origin!r}"] = response.status_code
    wrong = {name: status for name, status in answers.items() if not 400 <= status < 500}
    assert wrong == {}, wrong
    assert httpx.get(server.url + "/" + "a" * 5000).status_code == 200  # the dashboard's own 404 page, not a 500
    assert server.get("/api/health").json()["status"] == "ok"
    assert server.get("/api/runs").json()["runs"] == []  # nothing got as far as starting


def test_the_specific_refusals(server: LiveServer) -> None:
    def post(body: bytes, content_type: str = "application/json") -> httpx.Response:
        return httpx.post(server.url + "/api/runs", content=body,
                          headers={"Origin": server.url, "Content-Type": content_type})  # fmt: skip

    assert post(b'{"tasks":"' + b"a" * (2 << 20) + b'"}').status_code == 413
    assert post(_task(), "text/plain").status_code == 415
    assert post(b"[" * 5000 + b"]" * 5000).status_code == 400
    refused = post(_task(env={"NODE_OPTIONS": "--require /tmp/x.js"}))
    assert refused.status_code == 422 and "may not set NODE_OPTIONS over HTTP" in refused.json()["detail"]
    refused = post(_task(permission_mode="bypassPermissions"))
    assert refused.status_code == 422 and "--allow-bypass" in refused.json()["detail"]
    assert httpx.get(server.url + "/api/sessions?page=100000000000000000000").status_code == 422
    assert httpx.get(server.url + "/%00").status_code == 404
    # Parameters of the media type are fine: this one gets as far as the task check.
    assert post(_task(cwd="/no/such/folder"), "application/json; charset=utf-8").status_code == 422


def test_allow_bypass_is_the_servers_choice(serve: Serve, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "serve", "--help")
    assert code == 0 and "--allow-bypass" in out
    config = tmp_path / "config"
    (config / "projects").mkdir(parents=True)
    body = _raw(
        '{"tasks":[{"id":"a","prompt":"x","cwd":"/no/such/folder"}],"options":{"permissionMode":"bypassPermissions"}}'
    )
    for allow, expected in ((False, "--allow-bypass"), (True, "is not a folder")):
        with serve(config, tmp_path / f"{allow}.db", claude_bin="/bin/false", allow_bypass=allow) as live:
            answer = httpx.post(live.url + "/api/runs", content=body,
                                headers={"Origin": live.url, "Content-Type": JSON})  # fmt: skip
            assert answer.status_code == 422 and expected in answer.json()["detail"], (allow, answer.text)
