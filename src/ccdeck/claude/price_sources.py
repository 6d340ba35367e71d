"""Which provider's list price each model gets (`pricing.price_source`), remembered on disk.

genai-prices, with the pydantic models its table is made of, takes about 0.2 s to import: more than a warm
`ccdeck usage daily` may take in all, for an answer that depends only on the model id, the installed genai-prices
and ccdeck's matching rule. So the answers are kept in `$XDG_CACHE_HOME/ccdeck/price-sources.json` (else
`~/.cache/ccdeck/`), under a key made of the size and mtime of genai-prices' data module and of `pricing.py`:
another genai-prices or another rule starts afresh. genai-prices is imported only for a model the file lacks.
Standard library only; a file that cannot be read or written only costs that import.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterable, Mapping
from importlib.util import find_spec
from pathlib import Path

log = logging.getLogger(__name__)
FILE_NAME = "price-sources.json"


def cache_path(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CACHE_HOME") or Path("~/.cache").expanduser()
    return Path(base) / "ccdeck" / FILE_NAME


def price_sources(models: Iterable[str], path: Path | None = None) -> dict[str, str | None]:
    """Model -> the provider whose list price it is priced at ("anthropic", "zai", ...), None when unpriced."""
    wanted = set(models)
    if not wanted:
        return {}
    path = cache_path(os.environ) if path is None else path
    key = _key()
    known = _load(path, key)
    missing = wanted - known.keys()
    if missing:
        from ccdeck.claude.pricing import price_source

        known.update({model: price_source(model) for model in missing})
        _save(path, key, known)
    return {model: known[model] for model in wanted}


def _key() -> str:
    """What the answers depend on besides the model: genai-prices' data and ccdeck's rule, by size and mtime."""
    spec = find_spec("genai_prices")
    folders = spec.submodule_search_locations if spec is not None else None
    files = [Path(folders[0]) / "data.py"] if folders else []
    files.append(Path(__file__).with_name("pricing.py"))
    parts = []
    for name in files:
        try:
            st = name.stat()
        except OSError:
            return ""  # unknown: never matches a saved key, so every answer comes from genai-prices
        parts.append(f"{st.st_size}:{st.st_mtime_ns}")
    return " ".join(parts)


def _load(path: Path, key: str) -> dict[str, str | None]:
    try:
        saved = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not key or not isinstance(saved, dict) or saved.get("key") != key:
        return {}
    sources = saved.get("sources")
    if not isinstance(sources, dict):
        return {}
    return {m: s for m, s in sources.items() if isinstance(m, str) and (s is None or isinstance(s, str))}


def _save(path: Path, key: str, known: dict[str, str | None]) -> None:
    if not key:
        return
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps({"key": key, "sources": known}, sort_keys=True), encoding="utf-8")
        temporary.replace(path)  # a reader sees the old file or the new one, never half of one
    except OSError as exc:
        log.debug("cannot save %s: %s", path, exc)
        with contextlib.suppress(OSError):
            temporary.unlink()
