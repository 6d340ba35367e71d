"""Git worktrees for tasks: one per task on a new branch `ccdeck/<run>/<task>` from HEAD, its diff stat, and
whether it still holds anything (commits or changes) before `clean` removes it.

Blocking (git runs as a child process): the supervisor calls these in a thread.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccdeck.errors import LaunchError, UsageError

log = logging.getLogger(__name__)
GIT_TIMEOUT_SECONDS = 60.0


class GitError(LaunchError):
    """A git command failed."""


@dataclass(frozen=True)
class Worktree:
    path: Path  # the worktree's root
    branch: str
    base: str  # the commit it was made from
    cwd: Path  # where the task runs: the same place inside the worktree as the task's cwd in its repo


def git(cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=GIT_TIMEOUT_SECONDS, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed (needed for --worktree)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {' '.join(args)} took over {GIT_TIMEOUT_SECONDS:.0f} s in {cwd}") from None
    if check and done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise GitError(f"git {' '.join(args)} failed in {cwd}: {reason}")
    return done.stdout


def repo_root(cwd: Path) -> Path:
    """The top of the repository holding `cwd`; a `UsageError` when it is not in one or has no commit yet."""
    try:
        top = git(cwd, "rev-parse", "--show-toplevel").strip()
        git(cwd, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except GitError:
        raise UsageError(f"--worktree needs a git repository with at least one commit; {cwd} is not in one") from None
    return Path(top)


def branch_name(run_id: str, task_id: str) -> str:
    return f"ccdeck/{run_id}/{task_id}"


# What `git check-ref-format --branch` refuses anywhere in a name: control characters, space, ~ ^ : ? * [ \.
_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


def branch_problem(name: str) -> str | None:
    """Why git would refuse `name` as a branch name (the rules of `git check-ref-format --branch`), or None."""
    forbidden = _REF_FORBIDDEN.search(name)
    problems = [
        (name.startswith("-"), "it starts with '-'"),
        (name == "@", "it is '@'"),
        (forbidden is not None, f"it contains {forbidden.group() if forbidden else ''!r}"),
        (".." in name, "it contains '..'"),
        ("@{" in name, "it contains '@{'"),
        (name.startswith("/") or name.endswith("/") or "//" in name, "it has an empty part between '/'"),
        (name.endswith("."), "it ends with '.'"),
        (any(part.startswith(".") for part in name.split("/")), "a part of it starts with '.'"),
        (any(part.endswith(".lock") for part in name.split("/")), "a part of it ends with '.lock'"),
    ]
    return next((reason for bad, reason in problems if bad), None)


def create(cwd: Path, run_id: str, task_id: str, dest: Path) -> Worktree:
    """A new worktree at `dest` on branch `ccdeck/<run>/<task>`, from the HEAD of `cwd`'s repository."""
    root = repo_root(cwd)
    base = git(root, "rev-parse", "HEAD").strip()
    branch = branch_name(run_id, task_id)
    dest.parent.mkdir(parents=True, exist_ok=True)
    git(root, "worktree", "add", "--quiet", "-b", branch, str(dest), base)
    inside = cwd.resolve().relative_to(root.resolve())
    return Worktree(dest, branch, base, dest / inside)


def diff_stat(path: Path, base: str) -> dict[str, Any]:
    """What the task changed against its base: commits on the branch, and files changed, added or deleted
    including uncommitted and untracked ones (through a throw-away index: the worktree's own is untouched)."""
    with tempfile.TemporaryDirectory(prefix="ccdeck-index-") as tmp:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        git(path, "read-tree", base, env=env)
        git(path, "add", "--all", env=env)
        numstat = git(path, "diff", "--cached", "--numstat", base, env=env)
    files = []
    for line in numstat.splitlines():
        added, deleted, name = line.split("\t", 2)
        files.append({"path": name, "added": _count(added), "deleted": _count(deleted)})
    commits = int(git(path, "rev-list", "--count", f"{base}..HEAD").strip() or 0)
    return {
        "commits": commits,
        "filesChanged": len(files),
        "insertions": sum(f["added"] or 0 for f in files),
        "deletions": sum(f["deleted"] or 0 for f in files),
        "files": files,
    }


def _count(text: str) -> int | None:
    return None if text == "-" else int(text)  # "-" for binary files


def holds_work(path: Path, base: str) -> bool:
    """True when the worktree has commits beyond its base or any change (tracked, untracked) not committed."""
    if not path.is_dir():
        return False
    if git(path, "status", "--porcelain", "--untracked-files=all").strip():
        return True
    return git(path, "rev-parse", "HEAD").strip() != base


def remove(repo_cwd: Path, path: Path, branch: str, *, force: bool = False) -> None:
    """Remove the worktree and its branch. Callers check `holds_work` first unless the user said `--force`:
    then the branch points at its base, a commit the repository keeps anyway."""
    root = Path(git(repo_cwd, "rev-parse", "--show-toplevel").strip())
    if path.is_dir():
        git(root, "worktree", "remove", *(["--force"] if force else []), str(path))
    git(root, "worktree", "prune", check=False)
    git(root, "branch", "-D", branch, check=False)
