"""Sends alerts anywhere Apprise reaches (setting `notify`: ntfy, Slack, Discord, e-mail, desktop, `json://` webhooks).

Sending never blocks the event loop: `Notifier.send` queues the alert for one worker thread, which delivers them in
order. A failed delivery is logged and kept as `problem` (shown by `/api/health`); a full queue drops the alert,
logged. Apprise is imported on the first delivery only: it is heavy, and most commands never send anything.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence

from ccdeck.errors import NotifyError
from ccdeck.live.alerts import Alert

log = logging.getLogger(__name__)
QUEUE_SIZE = 100
SEND_TIMEOUT = 10.0  # seconds per service


def notify_urls(setting: str | None) -> tuple[str, ...]:
    """The `notify` setting's comma-separated URLs."""
    return tuple(url.strip() for url in (setting or "").split(",") if url.strip())


def deliver(urls: Sequence[str], alert: Alert) -> None:
    """Send one alert to every URL now (blocking); NotifyError names what failed."""
    if not urls:
        raise NotifyError("no notify URL configured (set CCDECK_NOTIFY or pass --notify)")
    import apprise  # heavy: imported only when something is sent

    sender = apprise.Apprise()
    for url in urls:
        if not sender.add(url):
            raise NotifyError(f"not a usable Apprise URL: {_redacted(url)}")
    kind = apprise.NotifyType.WARNING if alert.kind in ("blocked", "failed", "task_failed") else apprise.NotifyType.INFO
    if not sender.notify(body=alert.message or alert.headline, title=alert.headline, notify_type=kind,
                         timeout=SEND_TIMEOUT):  # fmt: skip
        raise NotifyError(f"sending to {', '.join(_redacted(u) for u in urls)} failed")


class Notifier:
    """Owns one worker thread; `close` ends it. `send` may be called from the event loop only."""

    def __init__(self, urls: Sequence[str]) -> None:
        self.urls = tuple(urls)
        self.problem: str | None = None
        self.sent = 0
        self._queue: queue.Queue[Alert | None] = queue.Queue(QUEUE_SIZE)
        self._thread = threading.Thread(target=self._work, name="ccdeck-notifier", daemon=True)
        self._thread.start()

    def send(self, alert: Alert) -> None:
        try:
            self._queue.put_nowait(alert)
        except queue.Full:
            log.warning("alert not sent, %d are already waiting: %s", QUEUE_SIZE, alert.headline)

    def close(self, timeout: float = 5.0) -> None:
        """Let queued alerts go out for up to `timeout` seconds, then stop."""
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return
        self._thread.join(timeout)

    def _work(self) -> None:
        while (alert := self._queue.get()) is not None:
            try:
                deliver(self.urls, alert)
                self.problem = None
                self.sent += 1
            except Exception as exc:  # the worker's top boundary: log, show in /api/health, carry on
                self.problem = f"{type(exc).__name__}: {exc}"
                log.warning("alert not sent (%s): %s", alert.headline, self.problem)


def _redacted(url: str) -> str:
    """A URL without what may be a secret (tokens and passwords sit in the path or the user part)."""
    scheme, sep, _ = url.partition("://")
    return f"{scheme}://…" if sep else "…"
