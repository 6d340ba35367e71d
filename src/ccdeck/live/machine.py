"""Which machine this process runs on, as the shared database names it: `CCDECK_MACHINE`, else the host name.

One small function so that every writer and listener agree on the name (the `machine` setting, once it exists, is
read here and nowhere else)."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

MACHINE_ENV = "CCDECK_MACHINE"


def machine_name(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get(MACHINE_ENV, "").strip() or socket.gethostname()
