"""Whether a run's supervisor is still there: the one rule, for the full commands (`interrupted`) and for the
paths that answer before the command line's imports (`fast_status`, `fast_run`), so standard library only."""

from __future__ import annotations

from collections.abc import Iterable

from ccdeck.pids import same_process
from ccdeck.store.run_queries import SupervisorRecord

SUPERVISOR_START_SECONDS = 15.0  # a detached supervisor that has not recorded itself by then failed to start


def supervisor_gone(supervisor: SupervisorRecord, now: float) -> bool:
    """Whether an unfinished run's supervisor is gone (or never came: too long since the run was created)."""
    if supervisor.pid is None:  # still starting, unless it has been too long
        return now - supervisor.created_at > SUPERVISOR_START_SECONDS * 2
    return not same_process(supervisor.pid, supervisor.started)


def any_gone(supervisors: Iterable[SupervisorRecord], now: float) -> bool:
    return any(supervisor_gone(supervisor, now) for supervisor in supervisors)
