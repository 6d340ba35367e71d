"""`ccdeck search` and `GET /api/search`: one JSON shape for a page of full-text matches."""

from __future__ import annotations

from ccdeck.claude.timestamps import iso
from ccdeck.shapes.common import SearchResult, SearchResults
from ccdeck.store.reader import Reader
from ccdeck.store.search import Hit, search


def hit_json(hit: Hit) -> SearchResult:
    """One result. `snippet` is plain text with each matching word between `store.search.MARK_START` and
    `MARK_END` (U+0002, U+0003), and `…` where the text was cut."""
    return {
        "sessionId": hit.session_id,
        "projectPath": hit.project_path,
        "title": hit.title,
        "kind": hit.kind,
        "snippet": hit.snippet,
        "timestamp": iso(hit.ts),
    }


def search_report(reader: Reader, text: str, project: str | None, limit: int, offset: int = 0) -> SearchResults:
    """`{"results": [...], "total"}`: the page of matches of `text` from `offset`, newest first, and their number.
    Raises UsageError for a query too long to run."""
    hits, total = search(reader, text, project, limit, offset)
    return {"results": [hit_json(h) for h in hits], "total": total}
