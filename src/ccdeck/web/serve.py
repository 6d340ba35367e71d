"""`ccdeck serve`: resolve the token rule, bind the socket and make the dashboard's URL (`dashboard`; the command
prints it), run uvicorn until Ctrl-C (`run_server`)."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import sys
import webbrowser
from dataclasses import dataclass

import uvicorn

from ccdeck import config
from ccdeck.config import Config
from ccdeck.errors import UsageError
from ccdeck.live.alerts import dashboard_url
from ccdeck.live.notifier import notify_urls
from ccdeck.orchestrator.control import defaults_from
from ccdeck.store.store import Store
from ccdeck.web.app import ServeOptions, create_app
from ccdeck.web.security import is_loopback


@dataclass(frozen=True)
class Dashboard:
    """What `run_server` serves, and where: `sock` is bound already, `port` is the one it got (port 0: a free one
    the system picked), and `url` carries the token when there is one."""

    options: ServeOptions
    sock: socket.socket
    port: int
    url: str


def dashboard(cfg: Config) -> Dashboard:
    # A database that cannot be used (corrupt, from a newer ccdeck, a folder that cannot be made) fails here, as
    # one line from the CLI, rather than as a traceback from inside uvicorn's lifespan.
    Store.open(cfg.db).close()
    host = cfg.get(config.HOST)
    sock = listening_socket(host, cfg.get(config.PORT))
    port = int(sock.getsockname()[1])
    token = cfg.get(config.TOKEN)
    if is_loopback(host):
        token = None  # loopback: the Host and Origin checks suffice
    elif token is None:
        token = secrets.token_urlsafe(24)
    options = ServeOptions(
        db=cfg.db,
        config_dirs=cfg.config_dirs,
        host=host,
        idle_after=cfg.get(config.IDLE_MINUTES) * 60,
        rescan_every=cfg.get(config.RESCAN_SECONDS),
        poll=cfg.get(config.POLL),
        token=token,
        run_defaults=defaults_from(cfg),
        claude_bin=cfg.get(config.CLAUDE_BIN),
        allow_bypass=cfg.get(config.ALLOW_BYPASS),
        public_url=dashboard_url(host, port),
        notify=notify_urls(cfg.get(config.NOTIFY)),
        alert_after=cfg.get(config.ALERT_AFTER_MINUTES) * 60,
        machine=cfg.get(config.MACHINE),
    )
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    return Dashboard(options, sock, port, url)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to `host:port` (port 0: any free port), as uvicorn would bind it. Bound before the URL is
    printed, so the URL names the port actually listened on; a port in use is a one-line error."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def run_server(served: Dashboard, *, open_browser: bool) -> None:
    # The server's own progress lines (catch-up scan) go to its log, i.e. this terminal.
    logging.getLogger("ccdeck.live").setLevel(logging.INFO)
    if open_browser:
        webbrowser.open(served.url)
    app, host, port = create_app(served.options), served.options.host, served.port
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on",
                                           ws="websockets-sansio"))  # fmt: skip
    try:
        server.run(sockets=[served.sock])
    except KeyboardInterrupt:  # uvicorn raises the Ctrl-C it caught again once it has stopped (as `uvicorn.run`)
        pass
    finally:
        served.sock.close()
    if not server.started:  # the lifespan failed: uvicorn logged why
        sys.exit(3)


def exit_at_once() -> None:
    """End the process once the server has stopped: the store is closed and every write committed, and the
    interpreter's own teardown of a large heap would delay Ctrl-C by up to a second for nothing."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
