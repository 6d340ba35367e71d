"""The house rule for stopping a task, declared once: SIGINT to its process group (the CLI ends its turn and
usually prints a result), a grace period, SIGTERM, a wait, SIGKILL, a last wait. The supervisor's `Child` climbs it
on the event loop; a command that finds the supervisor gone climbs it itself (`procs.stop_task_blocking`), and
`ccdeck stop` waits for the states as long as the ladder can take (`ladder_seconds`)."""

from __future__ import annotations

import signal
from dataclasses import dataclass

TERM_WAIT_SECONDS = 3.0  # after SIGTERM, before SIGKILL
KILL_WAIT_SECONDS = 5.0  # after SIGKILL: the kernel has to tear the processes down
LEFTOVER_WAIT_SECONDS = 2.0  # for tool processes left in the group after the CLI exited by itself


@dataclass(frozen=True, slots=True)
class Step:
    """Send `signal`, then wait up to `wait` seconds for the processes to be gone."""

    signal: signal.Signals
    wait: float


def stop_steps(grace: float) -> tuple[Step, ...]:
    """Stopping a running task: SIGINT, `grace`; SIGTERM, a wait; SIGKILL, a wait."""
    return (
        Step(signal.SIGINT, grace),
        Step(signal.SIGTERM, TERM_WAIT_SECONDS),
        Step(signal.SIGKILL, KILL_WAIT_SECONDS),
    )


def leftover_steps() -> tuple[Step, ...]:
    """Ending what a CLI that exited by itself left behind (no SIGINT: nobody is left to end a turn)."""
    return Step(signal.SIGTERM, LEFTOVER_WAIT_SECONDS), Step(signal.SIGKILL, KILL_WAIT_SECONDS)


def ladder_seconds(grace: float) -> float:
    """The longest a stop can take once its first signal is sent: every step's wait."""
    return sum(step.wait for step in stop_steps(grace))
