"""A reaped leader's group: still ours while its members live, never once its pid is somebody else's."""

from __future__ import annotations

import subprocess
import sys

from ccdeck.orchestrator import procs


def test_a_group_whose_leader_exited_is_left_while_its_members_live() -> None:
    leader = subprocess.Popen(["sh", "-c", "sleep 30 & exit 0"], start_new_session=True)
    leader.wait()  # reaped: the sleep keeps the group (and the leader's pid) taken
    try:
        assert procs.group_left_by(leader.pid)
    finally:
        procs.signal_group(leader.pid, procs.signal.SIGKILL)


def test_a_reaped_leaders_pid_in_use_again_is_not_its_group() -> None:
    # The pid in use by a live process that leads its own group stands for a reused pid: never the old group.
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True)
    try:
        assert procs.group_alive(other.pid)
        assert not procs.group_left_by(other.pid)
    finally:
        other.kill()
        other.wait()
