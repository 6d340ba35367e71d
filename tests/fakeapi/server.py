"""FakeApi: the fake Messages API served on 127.0.0.1 from a background thread of the test process.

In-process rather than a subprocess: nothing can outlive the test run (the thread is a daemon and
`stop()` joins it), and tests read the recorded requests directly.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from types import TracebackType

import uvicorn

from .app import FakeApiApp, install_log_filter
from .messages import DEFAULT_MODEL
from .recording import RecordedRequest, Recorder
from .scripts import Script

HOST = "127.0.0.1"


class FakeApi:
    """Start with `start()` or `with FakeApi() as api:`; point the CLI at `api.base_url`."""

    def __init__(self, *, model: str = DEFAULT_MODEL, scripts: dict[str, Script] | None = None) -> None:
        self.recorder = Recorder()
        self.app = FakeApiApp(self.recorder, model, scripts)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sock: socket.socket | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def model(self) -> str:
        return self.app.model

    def add_script(self, name: str, script: Script) -> None:
        """Add or replace a script, selected by `[[fake:NAME]]` like the built-in ones."""
        self.app.add_script(name, script)

    def open_gate(self, name: str = "default") -> None:
        """Release every answer held by `[[fake:gate:NAME]]`, and any that arrives later."""
        self.app.gates.open(name)

    # Lifecycle ---------------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> FakeApi:
        install_log_filter()
        # Bind here, in the caller's thread, so the port is known before the server runs.
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((HOST, 0))
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            loop="asyncio",
            http="h11",
            ws="none",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"fakeapi:{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("fake API server did not start")
            time.sleep(0.01)
        return self

    def _run(self) -> None:
        assert self._server is not None and self._sock is not None
        asyncio.run(self._serve(self._server, self._sock))

    async def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        self._loop = asyncio.get_running_loop()
        self.app.closing = asyncio.Event()
        self.app.gates.bind(self._loop)
        await server.serve(sockets=[sock])

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is None or self._thread is None:
            return
        if self._loop is not None and self.app.closing is not None and not self._loop.is_closed():
            # Wake the stalls first, so the graceful shutdown has no stream left to wait for.
            self._loop.call_soon_threadsafe(self.app.closing.set)
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = None

    def __enter__(self) -> FakeApi:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # What was seen -----------------------------------------------------------------------------

    def requests(self) -> list[RecordedRequest]:
        """Every request, in arrival order (copies)."""
        return self.recorder.requests()

    def calls(self, session_id: str | None = None) -> list[RecordedRequest]:
        """Model calls (`POST /v1/messages`), optionally of one session."""
        return [
            r for r in self.recorder.requests() if r.is_messages and (session_id is None or r.session_id == session_id)
        ]

    def unknown_requests(self) -> list[RecordedRequest]:
        """Requests to paths the fake does not implement (answered with `{}`)."""
        return [r for r in self.recorder.requests() if not r.known]

    def session_ids(self) -> list[str]:
        """Sessions that made model calls, in order of first call."""
        return list(dict.fromkeys(r.session_id for r in self.calls() if r.session_id))

    @property
    def in_flight(self) -> int:
        """Model calls currently being answered (a stalled stream counts until the client leaves)."""
        return self.recorder.in_flight

    @property
    def max_in_flight(self) -> int:
        """The most model calls ever answered at the same time since start (or `reset()`)."""
        return self.recorder.max_in_flight

    def wait_for_calls(self, count: int, *, session_id: str | None = None, timeout: float = 10.0) -> None:
        """Block until at least `count` model calls (of `session_id`, if given) have arrived."""
        self.recorder.wait_for(
            lambda rs: sum(1 for r in rs if r.is_messages and session_id in (None, r.session_id)) >= count,
            timeout,
        )

    def wait_in_flight(self, count: int, *, timeout: float = 10.0) -> None:
        """Block until exactly `count` model calls are being answered at once."""
        self.recorder.wait_for(lambda rs: sum(1 for r in rs if r.is_messages and r.finished is None) == count, timeout)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no model call is in flight."""
        self.recorder.wait_for(lambda rs: all(r.finished is not None for r in rs if r.is_messages), timeout)

    def reset(self) -> None:
        self.recorder.reset()
