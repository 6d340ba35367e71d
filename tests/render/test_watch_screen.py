"""`ccdeck watch` rendered to a fixed-width string."""

from __future__ import annotations

from rich.console import Console

from ccdeck.render.watch_screen import elapsed, render_watch

SUMMARY = {
    "today": {"totalTokens": 1_234_567, "costUSD": 4.5},
    "active": {"working": 1, "waiting": 1, "idle": 0},
}
ROW = {
    "state": "working", "projectPath": "/home/dev/shop-api", "gitBranch": "feat/cart", "models": ["claude-sonnet-4-5"],
    "firstActivity": "2026-01-01T10:00:00.000Z", "doing": "Edit: /home/dev/shop-api/cart.py", "title": "Cart",
    "totalTokens": 52_000, "costUSD": 0.1234, "filesChanged": 3,
}  # fmt: skip


def _render(rows: list[dict[str, object]], now: float) -> str:
    console = Console(width=140, record=True, color_system=None, force_terminal=False)
    console.print(render_watch(rows, SUMMARY, now))
    return console.export_text()


def test_watch_screen_shows_active_sessions_and_totals() -> None:
    text = _render([ROW], now=1767261600 + 3725)  # 2026-01-01T10:00Z + 1h02m05s
    assert "today 1,234,567 tokens, $4.50" in text
    assert "1 working, 1 waiting, 0 idle" in text
    line = next(line for line in text.splitlines() if "shop-api" in line)
    for cell in (
        "working",
        "feat/cart",
        "sonnet-4-5",
        "1h02m",
        "Edit: /home/dev/shop-api/cart.py",
        "52,000",
        "$0.12",
    ):
        assert cell in line
    assert "/home/dev/shop-api " not in line  # the project shows as its folder name


def test_watch_screen_without_sessions() -> None:
    assert "no active sessions" in _render([], now=0)


def test_elapsed() -> None:
    assert elapsed(59) == "0m"
    assert elapsed(61 * 60) == "1h01m"
