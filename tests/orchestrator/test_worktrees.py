"""Worktrees for tasks, in a real git repository: branch, diff stat (untracked files included, the worktree's
index untouched), whether one holds work, and removal."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ccdeck.errors import UsageError
from ccdeck.orchestrator import worktree

GIT_ID = ["-c", "user.name=ccdeck tests", "-c", "user.email=tests@ccdeck.invalid"]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *GIT_ID, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    git(root, "init", "--quiet", "--initial-branch", "main")
    (root / "README.md").write_text("hello\n")
    (root / "pkg" / "mod.py").write_text("x = 1\n")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "first")
    return root


def test_worktree_on_its_branch_with_the_same_subfolder(repo: Path, tmp_path: Path) -> None:
    made = worktree.create(repo / "pkg", "run1", "task-a", tmp_path / "wt" / "task-a")

    assert made.branch == "ccdeck/run1/task-a"
    assert made.cwd == made.path / "pkg"
    assert made.base == git(repo, "rev-parse", "HEAD").strip()
    assert git(made.path, "branch", "--show-current").strip() == "ccdeck/run1/task-a"
    assert worktree.diff_stat(made.path, made.base) == {
        "commits": 0, "filesChanged": 0, "insertions": 0, "deletions": 0, "files": []
    }  # fmt: skip
    assert not worktree.holds_work(made.path, made.base)


def test_diff_stat_counts_every_change(repo: Path, tmp_path: Path) -> None:
    made = worktree.create(repo, "run1", "b", tmp_path / "wt" / "b")
    (made.path / "README.md").write_text("hello\nworld\n")
    (made.path / "new.txt").write_text("one\ntwo\nthree\n")  # untracked
    (made.path / "pkg" / "mod.py").unlink()

    stat = worktree.diff_stat(made.path, made.base)

    assert stat["commits"] == 0
    assert {f["path"]: (f["added"], f["deleted"]) for f in stat["files"]} == {
        "README.md": (1, 0), "new.txt": (3, 0), "pkg/mod.py": (0, 1)
    }  # fmt: skip
    assert (stat["filesChanged"], stat["insertions"], stat["deletions"]) == (3, 4, 1)
    assert git(made.path, "status", "--porcelain").splitlines() == [" M README.md", " D pkg/mod.py", "?? new.txt"]
    assert worktree.holds_work(made.path, made.base)


def test_commits_count_as_work_and_removal(repo: Path, tmp_path: Path) -> None:
    made = worktree.create(repo, "run1", "c", tmp_path / "wt" / "c")
    (made.path / "c.txt").write_text("c\n")
    git(made.path, "add", "c.txt")
    git(made.path, "commit", "--quiet", "-m", "task c")
    assert worktree.diff_stat(made.path, made.base)["commits"] == 1
    assert worktree.holds_work(made.path, made.base)

    worktree.remove(repo, made.path, made.branch, force=True)
    assert not made.path.exists()
    assert git(repo, "branch", "--list", "ccdeck/*").strip() == ""

    empty = worktree.create(repo, "run1", "d", tmp_path / "wt" / "d")
    worktree.remove(repo, empty.path, empty.branch)
    assert not empty.path.exists()
    assert "ccdeck/run1/d" not in git(repo, "branch", "--list")


def test_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="needs a git repository"):
        worktree.repo_root(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "--quiet")
    with pytest.raises(UsageError, match="at least one commit"):
        worktree.repo_root(empty)
