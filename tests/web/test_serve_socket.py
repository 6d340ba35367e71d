"""`ccdeck serve` binds its socket itself, before printing the URL: port 0 gets a free port, which the URL names,
and a port in use is a one-line error."""

from __future__ import annotations

import socket

import pytest

from ccdeck.errors import UsageError
from ccdeck.web.serve import listening_socket


def test_port_0_listens_on_a_port_the_system_picks() -> None:
    with listening_socket("127.0.0.1", 0) as sock:
        assert sock.getsockname()[1] > 0


def test_a_port_in_use_is_a_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=f"cannot listen on 127.0.0.1:{port}"):
            listening_socket("127.0.0.1", port)
