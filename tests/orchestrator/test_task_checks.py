"""How far a task list's author is trusted (`task_checks.Trust`): the environment rules, `bypassPermissions` and
shell rules, for the CLI's user and for a request over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccdeck.errors import UsageError
from ccdeck.orchestrator.options import RunOptions
from ccdeck.orchestrator.spec import options_from_request, resolve_tasks
from ccdeck.orchestrator.task_checks import ENV_DENIED, LOCAL, Trust, env_name_denied

OPTIONS = RunOptions(model="claude-sonnet-4-5", budget_usd=1.5, timeout_s=60, permission_mode="acceptEdits")


def test_environment_rules_local_and_remote(tmp_path: Path) -> None:
    task = {"id": "a", "prompt": "x"}
    remote = Trust.remote(allow_bypass=False)
    # The name pattern holds for everyone; the deny list only for a request over HTTP.
    with pytest.raises(UsageError, match="variable names"):
        resolve_tasks([{**task, "env": {"node_options": "x"}}], OPTIONS, tmp_path)
    local = {"NODE_OPTIONS": "--require ./x.js", "ANTHROPIC_BASE_URL": "http://gw", "CLAUDE_CODE_MAX_RETRIES": "0"}
    assert resolve_tasks([{**task, "env": local}], OPTIONS, tmp_path)[0].env == local
    for name in ("NODE_OPTIONS", "LD_PRELOAD", "DYLD_INSERT_LIBRARIES", "PATH", "HOME", "BASH_ENV", "ENV",
                 "PYTHONPATH", "PERL5OPT", "RUBYOPT", "GIT_SSH_COMMAND", "GIT_CONFIG_COUNT", "ANTHROPIC_BASE_URL",
                 "ANTHROPIC_API_KEY", "CLAUDE_CONFIG_DIR", "CLAUDE_CODE_SHELL_PREFIX", "SHELL", "IFS", "PS4",
                 "XDG_CONFIG_HOME", "HTTPS_PROXY", "NODE_EXTRA_CA_CERTS"):  # fmt: skip
        with pytest.raises(UsageError, match=f"may not set {name} over HTTP"):
            resolve_tasks([{**task, "env": {"FOO": "1", name: "x"}}], OPTIONS, tmp_path, trust=remote)
    allowed = {"FOO": "1", "DATABASE_URL": "sqlite://", "MAX_THINKING_TOKENS": "1024", "_X": ""}
    assert resolve_tasks([{**task, "env": allowed}], OPTIONS, tmp_path, trust=remote)[0].env == allowed


def test_bypass_permissions_over_http_needs_the_servers_consent(tmp_path: Path) -> None:
    task = {"id": "a", "prompt": "x", "permission_mode": "bypassPermissions"}
    with pytest.raises(UsageError, match="--allow-bypass"):
        resolve_tasks([task], OPTIONS, tmp_path, trust=Trust.remote(allow_bypass=False))
    with pytest.raises(UsageError, match="--allow-bypass"):
        options_from_request({"permissionMode": "bypassPermissions"}, RunOptions(), Trust.remote(allow_bypass=False))
    allowed = Trust.remote(allow_bypass=True)
    assert resolve_tasks([task], OPTIONS, tmp_path, trust=allowed)[0].permission_mode == "bypassPermissions"
    assert resolve_tasks([task], OPTIONS, tmp_path)[0].permission_mode == "bypassPermissions"  # the CLI's user


def test_any_shell_command_over_http_needs_the_servers_consent(tmp_path: Path) -> None:
    task = {"id": "a", "prompt": "x"}
    remote = Trust.remote(allow_bypass=False)
    for rule in ("Bash", "Bash(*)", "Bash(:*)", " Bash ( * ) "):
        with pytest.raises(UsageError, match="allows any shell command"):
            resolve_tasks([{**task, "allowed_tools": ["Read", rule]}], OPTIONS, tmp_path, trust=remote)
    scoped = ["Read", "Bash(git diff:*)", "Edit"]
    assert resolve_tasks([{**task, "allowed_tools": scoped}], OPTIONS, tmp_path, trust=remote)[0].allowed_tools == (
        tuple(scoped)
    )
    for trust in (Trust.remote(allow_bypass=True), LOCAL):
        assert resolve_tasks([{**task, "allowed_tools": ["Bash"]}], OPTIONS, tmp_path, trust=trust)[0].allowed_tools


def test_every_denied_name_is_denied() -> None:
    assert all(env_name_denied(name) for name in ENV_DENIED)
    assert not env_name_denied("DATABASE_URL")
