"""Price sources remembered on disk (`ccdeck.claude.price_sources`) are `pricing.price_source`'s answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccdeck.claude import pricing
from ccdeck.claude.price_sources import price_sources

MODELS = ["claude-opus-4-5-20251101", "claude-sonnet-4-20250514", "acme-llm-1"]


def _no_genai_prices(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(model: str) -> str | None:
        raise AssertionError(f"asked genai-prices about {model}")

    monkeypatch.setattr(pricing, "price_source", refuse)


def test_the_answers_are_price_sources(tmp_path: Path) -> None:
    assert price_sources(MODELS, tmp_path / "p.json") == {m: pricing.price_source(m) for m in MODELS}
    assert price_sources(MODELS, tmp_path / "p.json")["acme-llm-1"] is None


def test_remembered_answers_need_no_genai_prices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = price_sources(MODELS, tmp_path / "p.json")
    _no_genai_prices(monkeypatch)
    assert price_sources(MODELS[:2], tmp_path / "p.json") == {m: expected[m] for m in MODELS[:2]}
    assert price_sources([], tmp_path / "p.json") == {}


def test_another_key_or_a_broken_file_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    price_sources(MODELS, path)
    saved = json.loads(path.read_text())
    path.write_text(json.dumps({"key": "another genai-prices", "sources": {MODELS[0]: "someone else"}}))
    assert price_sources(MODELS[:1], path) == {MODELS[0]: "anthropic"}
    assert json.loads(path.read_text())["key"] == saved["key"]
    path.write_text("{not json")
    assert price_sources(MODELS[:1], path) == {MODELS[0]: "anthropic"}


def test_an_unwritable_cache_only_costs_the_lookup(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert price_sources(MODELS[:1], blocker / "sub" / "p.json") == {MODELS[0]: "anthropic"}
