"""Cells of every table (`render.cells`): one cost format, short model names that never clash, projects shown by
their last folders."""

from __future__ import annotations

from ccdeck.render.cells import cost, model_names, project_names


def test_one_cost_format() -> None:
    assert [cost(v) for v in (None, 0.0612, 1.756, 1234.5)] == ["—", "$0.06", "$1.76", "$1,234.50"]


def test_model_names_are_short_and_never_ambiguous() -> None:
    assert model_names(["claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929", "claude-haiku-4-5"]) == {
        "claude-opus-4-5-20251101": "opus-4-5",
        "claude-sonnet-4-5-20250929": "sonnet-4-5",
        "claude-haiku-4-5": "haiku-4-5",
    }
    two_dates = model_names(["claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20251001", "claude-opus-4-1"])
    assert two_dates == {
        "claude-sonnet-4-5-20250929": "sonnet-4-5-20250929",
        "claude-sonnet-4-5-20251001": "sonnet-4-5-20251001",
        "claude-opus-4-1": "opus-4-1",
    }
    assert model_names(["claude-opus-4-5", "claude-opus-4-5-20251101"]) == {
        "claude-opus-4-5": "opus-4-5",
        "claude-opus-4-5-20251101": "opus-4-5-20251101",
    }
    assert model_names(["claude-opus-4", "opus-4", "glm-4.6"]) == {
        "claude-opus-4": "claude-opus-4",
        "opus-4": "opus-4",
        "glm-4.6": "glm-4.6",
    }


def test_projects_show_their_last_folders_as_many_as_tell_them_apart() -> None:
    names = project_names(["/home/me/work/app", "/home/me/a/x/lib", "/home/me/b/x/lib", "/srv/api", None])
    assert names["/home/me/work/app"] == "…/work/app"
    assert (names["/home/me/a/x/lib"], names["/home/me/b/x/lib"]) == ("…/a/x/lib", "…/b/x/lib")
    assert (names["/srv/api"], names[None]) == ("/srv/api", "—")
