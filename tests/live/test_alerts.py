"""The alert decisions, from the live model's own changes: every event, dedup, rate limit and mutes."""

from __future__ import annotations

from typing import Any

from ccdeck.live.alerts import Alert, Alerts, SessionInfo
from ccdeck.live.model import Change, View
from ccdeck.live.mutes import Mutes, load_mutes, save_mutes

SID = "5e55e55e-0000-4000-8000-00000000000a"
T0 = 1_700_000_000.0


def view(state: Any, since: float | None = None, blocked_on: str | None = None) -> View:
    return View(state, since, blocked_on, "interactive", None)


def change(old: View, new: View, sid: str = SID) -> Change:
    return Change(sid, old, new)


def make(**kwargs: Any) -> Alerts:
    alerts = Alerts(finish_after=120.0, base_url="http://127.0.0.1:8484", **kwargs)
    alerts.info[SID] = SessionInfo("/home/dev/work", "main", "Fix the tests")
    return alerts


def kinds(alerts: list[Alert]) -> list[str]:
    return [a.kind for a in alerts]


def test_a_session_that_blocks_sends_one_alert_naming_what_it_waits_for() -> None:
    alerts = make()
    sent = alerts.observe(change(view("working", T0), view("blocked", T0 + 5, "approve Write: a.txt")), T0 + 5)
    assert len(sent) == 1
    alert = sent[0]
    assert (alert.kind, alert.project, alert.branch, alert.title) == (
        "blocked",
        "/home/dev/work",
        "main",
        "Fix the tests",
    )
    assert alert.waiting_for == "approve Write: a.txt" and alert.state == "blocked"
    assert alert.url == f"http://127.0.0.1:8484/sessions/{SID}"
    assert alert.headline == "work needs you: approve Write: a.txt"
    assert alert.as_json()["url"] in alert.message
    # A more precise description of the same block is no new event.
    more = alerts.observe(change(view("blocked", T0 + 5, "permission prompt"), view("blocked", T0 + 5, "x")), T0 + 6)
    assert more == []


def test_answered_and_blocked_again_is_a_new_event() -> None:
    alerts = make()
    assert kinds(alerts.observe(change(view("working", T0), view("blocked", T0)), T0)) == ["blocked"]
    alerts.observe(change(view("blocked", T0), view("working", T0 + 10)), T0 + 10)
    assert kinds(alerts.observe(change(view("working", T0 + 10), view("blocked", T0 + 20)), T0 + 20)) == ["blocked"]


def test_a_turn_ends_with_an_alert_only_after_working_long_enough() -> None:
    alerts = make()
    alerts.observe(change(view("waiting", T0), view("working", T0)), T0)
    assert alerts.observe(change(view("working", T0), view("waiting", T0 + 60)), T0 + 60) == []
    alerts.observe(change(view("waiting", T0 + 60), view("working", T0 + 100)), T0 + 100)
    # a permission prompt in the middle of the turn does not restart its clock
    alerts.observe(change(view("working", T0 + 100), view("blocked", T0 + 150)), T0 + 150)
    alerts.observe(change(view("blocked", T0 + 150), view("working", T0 + 160)), T0 + 160)
    sent = alerts.observe(change(view("working", T0 + 160), view("waiting", T0 + 230)), T0 + 230)
    assert kinds(sent) == ["finished"]
    assert sent[0].headline == "work finished its turn after 2 min" and sent[0].state == "waiting"


def test_a_failed_turn_sends_one_failure_and_no_finished_alert() -> None:
    alerts = make()
    alerts.observe(change(view("waiting", T0), view("working", T0)), T0)
    sent = alerts.observe_failure(SID, "rate_limit", T0 + 300)
    assert kinds(sent) == ["failed"] and sent[0].waiting_for == "rate_limit"
    assert alerts.observe(change(view("working", T0), view("waiting", T0 + 300)), T0 + 300) == []
    assert alerts.observe_failure(SID, "rate_limit", T0 + 301) == []  # the same failure delivered twice
    alerts.observe(change(view("waiting", T0 + 300), view("working", T0 + 400)), T0 + 400)
    assert kinds(alerts.observe_failure(SID, "server_error", T0 + 410)) == ["failed"]  # a new turn failed


def test_three_api_errors_without_an_answer_between_them_are_a_failure() -> None:
    alerts = make()
    alerts.baseline_errors(SID, 5)  # old errors, already there when ccdeck started
    assert alerts.observe_api_errors(SID, 7, answered=False, now=T0) == []
    assert alerts.observe_api_errors(SID, 8, answered=True, now=T0 + 1) == []  # an answer breaks the streak
    assert alerts.observe_api_errors(SID, 10, answered=False, now=T0 + 2) == []
    sent = alerts.observe_api_errors(SID, 11, answered=False, now=T0 + 3)
    assert kinds(sent) == ["failed"] and sent[0].waiting_for == "3 API errors in a row"


def test_a_run_that_finishes_and_a_task_that_fails_are_alerted_once() -> None:
    alerts = make()
    tasks = [{"id": "a", "status": "running"}, {"id": "b", "status": "running"}]
    running: dict[str, Any] = {"id": "r1", "status": "running", "counts": {"running": 2}, "tasks": tasks}
    assert alerts.observe_run(running, T0) == []
    failed = {**running, "tasks": [{"id": "a", "status": "failed", "error": "exit 1"}, running["tasks"][1]]}
    sent = alerts.observe_run(failed, T0 + 1)
    assert kinds(sent) == ["task_failed"] and sent[0].url == "http://127.0.0.1:8484/runs/r1"
    assert alerts.observe_run(failed, T0 + 2) == []
    done = {**failed, "status": "finished", "counts": {"failed": 1, "succeeded": 1},
            "tasks": [failed["tasks"][0], {"id": "b", "status": "succeeded"}]}  # fmt: skip
    sent = alerts.observe_run(done, T0 + 3)
    assert kinds(sent) == ["run_finished"] and sent[0].headline == "run r1 finished: 1 of 2 tasks succeeded"
    assert alerts.observe_run(done, T0 + 4000) == []


def test_muted_sessions_and_projects_send_nothing() -> None:
    alerts = make(mutes=Mutes(sessions={SID}))
    assert alerts.observe(change(view("working", T0), view("blocked", T0)), T0) == []
    other = "5e55e55e-0000-4000-8000-00000000000b"
    alerts.info[other] = SessionInfo("/home/dev/work", None, None)
    alerts.mutes = Mutes(projects={"/home/dev/work"})
    assert alerts.observe(change(view("working", T0), view("blocked", T0), other), T0) == []
    alerts.mutes = Mutes()
    assert kinds(alerts.observe(change(view("working", T0), view("blocked", T0 + 1), other), T0 + 1)) == ["blocked"]


def test_past_the_rate_limit_alerts_are_held_and_summed_up_once_the_minute_is_over() -> None:
    alerts = make(per_minute=3)
    sent: list[Alert] = []
    for n in range(5):
        sid = f"5e55e55e-0000-4000-8000-00000000010{n}"
        sent += alerts.observe(change(view("working", T0), view("blocked", T0, f"q{n}"), sid), T0 + n)
    assert len(sent) == 3
    assert alerts.next_flush() == T0 + 60
    assert alerts.flush(T0 + 30) == []
    summary = alerts.flush(T0 + 60)
    assert kinds(summary) == ["suppressed"] and summary[0].headline == "2 more alerts"
    assert "q3" in summary[0].message and "q4" in summary[0].message
    assert alerts.next_flush() is None


def test_mutes_survive_in_their_file_and_a_broken_file_mutes_nothing(tmp_path: Any) -> None:
    path = tmp_path / "mutes.json"
    assert load_mutes(path) == Mutes()
    save_mutes(path, b'{"sessions": ["s1"], "projects": ["/p", 3]}')
    assert load_mutes(path) == Mutes({"s1"}, {"/p"})
    path.write_bytes(b"{broken")
    assert load_mutes(path) == Mutes()
