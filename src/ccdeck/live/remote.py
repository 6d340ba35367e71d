"""Other machines' changes (a shared database), shown here exactly as this machine's own: their sessions' rows
reloaded and pushed (`session.updated`, through the catch-up's batch path), their sessions' live states applied to the
live model as they stored them (`session.state`, alerts), never shared back."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ccdeck.live.catch_up import CatchUp
from ccdeck.live.model import ENDED_VIEW, View
from ccdeck.live.shared import Notice, Shared
from ccdeck.live.signals import Signals
from ccdeck.store import session_queries
from ccdeck.store.sqla_reader import SqlaReader


class Remote:
    def __init__(self, shared: Shared, signals: Signals, catch_up: CatchUp) -> None:
        self.shared, self.signals, self.catch_up = shared, signals, catch_up
        self._remote: set[str] = set()  # sessions shown with another machine's stored state
        self.connections = 0  # how many times the listener has connected

    async def connected(self) -> None:
        """Every stored state of the other machines; after a reconnection, a fresh snapshot too (notices sent
        while the connection was down are lost)."""
        self.connections += 1
        views = await self.shared.other_states(None)
        self._apply(views, self._remote - set(views))
        if self.connections > 1:
            await self.catch_up.refresh()

    async def heard(self, notice: Notice) -> None:
        if notice.kind == "sessions":
            await self._sessions(notice.ids)
        elif notice.kind == "states":
            views = await self.shared.other_states(notice.ids)
            named = set(notice.ids) if notice.ids is not None else self._remote
            self._apply(views, (named & self._remote) - set(views))

    async def _sessions(self, ids: Sequence[str] | None) -> None:
        if ids is None:
            await self.catch_up.refresh()
            return

        def read() -> list[Any]:
            with self.shared.store.read() as conn:
                return session_queries.sessions_by_id(SqlaReader(conn), list(ids))

        rows = await asyncio.to_thread(read)
        if rows:
            self.catch_up.publish_rows(rows)

    def _apply(self, views: Mapping[str, View], gone: set[str]) -> None:
        """`views` as their machines stored them; `gone` (no stored state any more): ended."""
        now = time.time()
        ended = dict.fromkeys(gone, dataclasses.replace(ENDED_VIEW, since=now))
        self._remote = (self._remote | set(views)) - gone
        self.signals.apply(self.signals.model.apply_remote({**ended, **views}, now), share=False)
