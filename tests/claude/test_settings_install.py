"""Writing Claude Code's settings.json: the safe writer, ccdeck's status line and hooks, `statusline install |
uninstall` and `hooks install | uninstall | status` through the real command line (in-process and as a child)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ccdeck.claude import integration
from ccdeck.claude.settings_file import BACKUP_SUFFIX, update_settings
from core_fixtures import CCDECK, run_cli

Capsys = pytest.CaptureFixture[str]
URL = "http://127.0.0.1:8484/api/hooks"
OUR_HOOK = {"type": "http", "url": URL, "timeout": 2}
# A user's settings as Claude Code writes them, with hooks of their own (one sharing a group with nothing of ours).
USER_SETTINGS: dict[str, Any] = {
    "model": "opus",
    "permissions": {"allow": ["Bash(git diff:*)"]},
    "hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "/home/dev/bin/guard.sh"}]}],
        "Stop": [{"hooks": [{"type": "http", "url": "http://127.0.0.1:9000/notify"}]}],
        "PreCompact": [{"hooks": [{"type": "command", "command": "echo compact"}]}],
    },
    "enabledPlugins": {"x@y": True},
}


def write(folder: Path, data: Any, mode: int = 0o640) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "settings.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    path.chmod(mode)
    return path


def read(path: Path) -> Any:
    return json.loads(path.read_text())


# ------------------------------------------------------------------------------------------------- the writer


def test_writer_keeps_keys_mode_and_a_backup(tmp_path: Path) -> None:
    path = write(tmp_path, USER_SETTINGS)
    before = path.read_text()
    written = update_settings(path, lambda s: {**s, "statusLine": {"type": "command", "command": "x"}})
    assert (written.changed, written.backup) == (True, tmp_path / f"settings.json{BACKUP_SUFFIX}")
    assert read(path) == {**USER_SETTINGS, "statusLine": {"type": "command", "command": "x"}}
    assert list(read(path)) == [*USER_SETTINGS, "statusLine"]  # key order kept
    assert (tmp_path / f"settings.json{BACKUP_SUFFIX}").read_text() == before
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(written.backup.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json", f"settings.json{BACKUP_SUFFIX}"]  # no temp


def test_writer_idempotent_and_new_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    first = update_settings(path, lambda s: {**s, "a": 1})
    assert (first.changed, first.backup, read(path)) == (True, None, {"a": 1})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    mtime = path.stat().st_mtime_ns
    again = update_settings(path, lambda s: {**s, "a": 1})
    assert (again.changed, again.backup, path.stat().st_mtime_ns) == (False, None, mtime)


def test_writer_refuses_invalid_json(tmp_path: Path) -> None:
    for text in ('{"model": "opus",', "[1, 2]"):
        path = write(tmp_path, text)
        with pytest.raises(Exception, match="left unchanged"):
            update_settings(path, lambda s: {**s, "a": 1})
        assert path.read_text() == text
        assert not (tmp_path / f"settings.json{BACKUP_SUFFIX}").exists()


def test_writer_follows_a_symlink(tmp_path: Path) -> None:
    real = write(tmp_path / "dotfiles", {"model": "opus"})
    link = tmp_path / "config" / "settings.json"
    link.parent.mkdir()
    link.symlink_to(real)
    update_settings(link, lambda s: {**s, "a": 1})
    assert link.is_symlink() and read(real) == {"model": "opus", "a": 1}


def test_writer_refuses_a_file_changed_meanwhile(tmp_path: Path) -> None:
    path = write(tmp_path, {"model": "opus"})

    def change(settings: dict[str, Any]) -> dict[str, Any]:
        path.write_text('{"model": "sonnet"}')  # Claude Code writes while we work
        return {**settings, "a": 1}

    with pytest.raises(Exception, match="changed while"):
        update_settings(path, change)
    assert read(path) == {"model": "sonnet"}


# ------------------------------------------------------------------------------------------------- hooks


def test_hooks_settings_for_launched_sessions() -> None:
    settings = json.loads(integration.hooks_settings_json(URL))
    assert list(settings) == ["hooks"]
    assert list(settings["hooks"]) == list(integration.HOOK_EVENTS)
    assert "SessionStart" not in settings["hooks"]  # Claude Code refuses http hooks there
    assert all(groups == [{"hooks": [OUR_HOOK]}] for groups in settings["hooks"].values())
    with_token = integration.hooks_settings("http://10.0.0.5:8484/api/hooks", token=True)
    assert with_token["hooks"]["Stop"] == [{"hooks": [{
        "type": "http", "url": "http://10.0.0.5:8484/api/hooks", "timeout": 2,
        "headers": {"Authorization": "Bearer $CCDECK_TOKEN"}, "allowedEnvVars": ["CCDECK_TOKEN"],
    }]}]  # fmt: skip


def test_hook_install_uninstall_round_trip() -> None:
    installed = integration.with_hooks(USER_SETTINGS, URL, token=False)
    assert installed["hooks"]["PreToolUse"] == [*USER_SETTINGS["hooks"]["PreToolUse"], {"hooks": [OUR_HOOK]}]
    assert installed["hooks"]["PreCompact"] == USER_SETTINGS["hooks"]["PreCompact"]
    assert set(integration.installed_hooks(installed)) == set(integration.HOOK_EVENTS)
    assert integration.with_hooks(installed, URL, token=False) == installed
    assert integration.without_hooks(installed) == USER_SETTINGS
    moved = integration.with_hooks(installed, "http://127.0.0.1:9999/api/hooks", token=False)  # a new port
    assert set(integration.installed_hooks(moved).values()) == {"http://127.0.0.1:9999/api/hooks"}
    assert integration.without_hooks(moved) == USER_SETTINGS
    assert integration.without_hooks({"model": "opus"}) == {"model": "opus"}
    assert integration.hook_url("0.0.0.0", 8484) == URL
    assert integration.hook_url("::1", 8080) == "http://[::1]:8080/api/hooks"


def test_statusline_entries() -> None:
    ours = "/opt/venv/bin/ccdeck statusline --format '{model}'"
    assert integration.is_our_statusline({"type": "command", "command": ours})
    assert integration.is_our_statusline({"type": "command", "command": "/usr/bin/python3 -m ccdeck statusline"})
    assert not integration.is_our_statusline({"type": "command", "command": "~/bin/statusline.sh"})
    tuned = {"statusLine": {"type": "command", "command": ours, "refreshInterval": 5}}
    assert integration.with_statusline(tuned, "/new/ccdeck statusline", force=False)["statusLine"] == {
        "type": "command", "command": "/new/ccdeck statusline", "padding": 0, "refreshInterval": 5,
    }  # fmt: skip


# ------------------------------------------------------------------------------------------------- the commands


def test_statusline_install_and_uninstall(capsys: Capsys, tmp_path: Path) -> None:
    path = write(tmp_path, USER_SETTINGS)
    code, out, err = run_cli(capsys, "statusline", "install", "--config-dir", tmp_path)
    assert (code, err) == (0, "")
    assert out == f"{path}: statusLine set to run ccdeck statusline (previous content in {path}{BACKUP_SUFFIX})\n"
    line = read(path)["statusLine"]
    assert (line["type"], line["padding"]) == ("command", 0)
    assert line["command"] == f"{CCDECK} statusline"
    assert run_cli(capsys, "statusline", "install", "--config-dir", tmp_path) == (
        0, f"{path}: statusLine already runs ccdeck statusline; nothing changed\n", "",
    )  # fmt: skip
    assert run_cli(capsys, "statusline", "uninstall", "--config-dir", tmp_path)[0] == 0
    assert read(path) == USER_SETTINGS
    assert run_cli(capsys, "statusline", "uninstall", "--config-dir", tmp_path) == (
        0, f"{path}: no ccdeck statusLine; nothing changed\n", "",
    )  # fmt: skip


def test_statusline_install_refuses_another_status_line(capsys: Capsys, tmp_path: Path) -> None:
    theirs = {**USER_SETTINGS, "statusLine": {"type": "command", "command": "~/bin/line.sh"}}
    path = write(tmp_path, theirs)
    code, out, err = run_cli(capsys, "statusline", "install", "--config-dir", tmp_path)
    assert (code, out) == (2, "")
    assert err == 'ccdeck: error: a status line is already set: "~/bin/line.sh"; pass --force to replace it\n'
    assert read(path) == theirs
    assert run_cli(capsys, "statusline", "uninstall", "--config-dir", tmp_path)[0] == 0
    assert read(path) == theirs  # not ours: left alone
    assert run_cli(capsys, "statusline", "install", "--force", "--config-dir", tmp_path)[0] == 0
    assert read(path)["statusLine"]["command"] == f"{CCDECK} statusline"
    assert read(Path(f"{path}{BACKUP_SUFFIX}")) == theirs


def test_print_writes_nothing(capsys: Capsys, tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "statusline", "install", "--print", "--format", "{model} {today_cost}")
    assert code == 0
    assert json.loads(out) == {
        "statusLine": {"type": "command", "command": f"{CCDECK} statusline --format '{{model}} {{today_cost}}'",
                       "padding": 0}
    }  # fmt: skip
    code, out, _ = run_cli(capsys, "hooks", "install", "--print", "--url", URL)
    assert (code, json.loads(out)) == (0, integration.hooks_settings(URL))
    assert list(tmp_path.iterdir()) == []


def test_hooks_commands(capsys: Capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCDECK_HOST", raising=False)
    monkeypatch.delenv("CCDECK_PORT", raising=False)
    path = write(tmp_path, USER_SETTINGS)
    code, out, err = run_cli(capsys, "hooks", "install", "--config-dir", tmp_path)
    assert (code, err) == (0, "")
    assert out == f"{path}: hooks for 11 events post to {URL} (previous content in {path}{BACKUP_SUFFIX})\n"
    assert set(integration.installed_hooks(read(path))) == set(integration.HOOK_EVENTS)
    assert run_cli(capsys, "hooks", "install", "--config-dir", tmp_path)[1] == (
        f"{path}: hooks already set; nothing changed\n"
    )
    status = json.loads(run_cli(capsys, "hooks", "status", "--config-dir", tmp_path, "--json")[1])["configDirs"]
    assert status == [{
        "configDir": str(tmp_path), "settings": str(path), "error": None,
        "hooks": {"installed": True, "events": sorted(integration.HOOK_EVENTS), "missing": [], "urls": [URL]},
        "statusLine": {"installed": False, "command": None},
    }]  # fmt: skip
    assert run_cli(capsys, "hooks", "status", "--config-dir", tmp_path)[1] == (
        f"{tmp_path}: hooks installed ({URL}); statusline not installed\n"
    )
    assert run_cli(capsys, "hooks", "uninstall", "--config-dir", tmp_path)[0] == 0
    assert read(path) == USER_SETTINGS  # the user's own hooks, http one included, are kept


def test_hooks_off_loopback_send_the_token(capsys: Capsys, tmp_path: Path) -> None:
    path = write(tmp_path, {})
    code, out, _ = run_cli(
        capsys, "hooks", "install", "--config-dir", tmp_path, "--url", "http://10.1.2.3:8484/api/hooks"
    )
    assert code == 0
    assert out.endswith("Claude Code must run with CCDECK_TOKEN set to the server's token.\n")
    hook = read(path)["hooks"]["Stop"][0]["hooks"][0]
    assert (hook["headers"], hook["allowedEnvVars"]) == ({"Authorization": "Bearer $CCDECK_TOKEN"}, ["CCDECK_TOKEN"])


def test_exit_codes_as_a_child_process(child_env: dict[str, str], tmp_path: Path) -> None:
    env = dict(child_env)
    bad = write(tmp_path / "bad", '{"hooks": {')

    def ccdeck(*args: str | Path) -> subprocess.CompletedProcess[str]:
        argv = [CCDECK, *map(str, args)]
        return subprocess.run(argv, check=False, env=env, capture_output=True, text=True, timeout=120)

    done = ccdeck("hooks", "install", "--config-dir", bad.parent)
    assert (done.returncode, done.stdout) == (2, "")
    reason = "(line 1, column 12): Expecting property name enclosed in double quotes"
    assert done.stderr == f"ccdeck: error: {bad} is not valid JSON {reason}; left unchanged\n"
    assert bad.read_text() == '{"hooks": {'
    assert ccdeck("statusline", "install", "--config-dir", tmp_path / "missing").returncode == 2
    status = ccdeck("hooks", "status", "--config-dir", bad.parent, "--json")
    assert status.returncode == 0
    assert json.loads(status.stdout)["configDirs"][0]["error"].startswith(f"{bad} is not valid JSON")
    good = write(tmp_path / "good", {})
    assert ccdeck("statusline", "install", "--config-dir", good.parent).returncode == 0
    assert ccdeck("hooks", "install", "--config-dir", good.parent).returncode == 0
    assert ccdeck("hooks", "status", "--config-dir", good.parent).stdout == (
        f"{good.parent}: hooks installed ({URL}); statusline installed\n"
    )
    assert os.access(read(good)["statusLine"]["command"].split()[0], os.X_OK)


def test_hooks_need_a_url_when_the_port_is_any(capsys: Capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCDECK_PORT", "0")
    path = write(tmp_path, USER_SETTINGS)
    code, out, err = run_cli(capsys, "hooks", "install", "--config-dir", tmp_path)
    assert (code, out) == (2, "")
    assert err == "ccdeck: error: the configured port is 0 (any free port): pass --url with the port serve printed\n"
    assert read(path) == USER_SETTINGS
