"""What the fake server saw: every request, in order, and how many model calls overlapped.

The server thread writes, the test thread reads: every access goes through one lock, and readers get
copies, so a test never sees a record half-updated.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# Headers worth asserting on; the rest (user agent details, content length…) is noise.
KEPT_HEADERS = (
    "user-agent",
    "x-claude-code-session-id",
    "x-stainless-retry-count",
    "x-stainless-timeout",
    "anthropic-beta",
    "anthropic-version",
    "x-app",
)


@dataclass
class RecordedRequest:
    seq: int
    method: str
    path: str
    query: str
    headers: dict[str, str]
    session_id: str | None
    started_at: float  # time.time(), for ordering against the CLI's own timestamps
    started: float  # time.monotonic()
    is_messages: bool  # a model call (POST /v1/messages)
    known: bool  # False: a path the fake does not implement (answered minimally, logged)
    model: str | None = None
    stream: bool | None = None
    n_messages: int | None = None
    prompt: str | None = None
    script: str | None = None
    script_arg: str | None = None
    turn: int | None = None
    outcome: str | None = None  # reply | error | stall | drop | other
    status: int | None = None
    # The usage the answer carried: final figures for a reply; for a stall or a drop, what its
    # message_start announced (the CLI bills those too).
    usage: dict[str, int] | None = None
    finished: float | None = None  # time.monotonic(); None while in flight
    disconnected: bool = False  # the client went away before the answer ended
    body_summary: dict[str, object] = field(default_factory=dict)

    @property
    def duration(self) -> float | None:
        return None if self.finished is None else self.finished - self.started


class Recorder:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._records: list[RecordedRequest] = []
        self._session_calls: dict[str, int] = {}
        self._in_flight = 0
        self._max_in_flight = 0

    def begin(
        self,
        *,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        session_id: str | None,
        is_messages: bool,
        known: bool,
    ) -> tuple[RecordedRequest, int]:
        """Record a new request; returns it and, for model calls, its 1-based number in its session."""
        with self._lock:
            record = RecordedRequest(
                seq=len(self._records),
                method=method,
                path=path,
                query=query,
                headers={k: headers[k] for k in KEPT_HEADERS if k in headers},
                session_id=session_id,
                started_at=time.time(),
                started=time.monotonic(),
                is_messages=is_messages,
                known=known,
            )
            self._records.append(record)
            session_call = 0
            if is_messages:
                self._in_flight += 1
                self._max_in_flight = max(self._max_in_flight, self._in_flight)
                key = session_id or ""
                session_call = self._session_calls[key] = self._session_calls.get(key, 0) + 1
            self._lock.notify_all()
            return record, session_call

    def update(self, record: RecordedRequest, **changes: object) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(record, name, value)
            self._lock.notify_all()

    def finish(self, record: RecordedRequest, *, disconnected: bool = False) -> None:
        with self._lock:
            if record.finished is not None:
                return
            record.finished = time.monotonic()
            record.disconnected = disconnected
            if record.is_messages:
                self._in_flight -= 1
            self._lock.notify_all()

    # Readers --------------------------------------------------------------------------------------

    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [dataclasses.replace(r) for r in self._records]

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    @property
    def max_in_flight(self) -> int:
        with self._lock:
            return self._max_in_flight

    def wait_for(self, predicate: Callable[[list[RecordedRequest]], bool], timeout: float) -> list[RecordedRequest]:
        """Block until `predicate(requests)` holds; raises TimeoutError with what was seen."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                snapshot = [dataclasses.replace(r) for r in self._records]
                if predicate(snapshot):
                    return snapshot
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(r.method, r.path, r.session_id, r.outcome) for r in snapshot]
                    raise TimeoutError(f"fake API: condition not met in {timeout}s; requests: {seen}")
                self._lock.wait(left)

    def reset(self) -> None:
        """Forget what was seen (in-flight requests keep counting until they end)."""
        with self._lock:
            self._records = []
            self._session_calls.clear()
            self._max_in_flight = self._in_flight
