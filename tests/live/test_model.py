"""The live model on its own: each source's word, how they combine, and what time alone changes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import orjson

from ccdeck.claude.hooks import parse_hook
from ccdeck.claude.jobs import parse_job_state
from ccdeck.claude.registry import read_live_session
from ccdeck.live.model import LiveModel, TranscriptFacts
from ccdeck.models import LiveSession

DATA = Path(__file__).parent / "data"
SID = "f0d4f597-38f2-4750-8dcb-6021b3f1f53c"
IDLE = 300.0
T0 = 1_800_000_000.0


def entry(status: str | None, at: float, waiting_for: str | None = None, **extra: object) -> LiveSession:
    base = LiveSession(pid=4242, session_id=SID, cwd="/w", started_at=T0 - 10, updated_at=at, version="2.1.330",
                       status=status, config_dir="/c", waiting_for=waiting_for, status_updated_at=at,
                       kind="interactive")  # fmt: skip
    return replace(base, **extra)  # type: ignore[arg-type]


def registry(model: LiveModel, status: str | None, at: float, waiting_for: str | None = None) -> None:
    model.apply_registry("/c", [(entry(status, at, waiting_for), True)], at)


def test_registry_status_drives_the_state_through_a_whole_session() -> None:
    model = LiveModel(IDLE)
    steps = [
        ("busy", None, "working", None),
        ("waiting", "permission prompt", "blocked", "permission prompt"),
        ("busy", None, "working", None),
        ("idle", None, "waiting", None),
    ]
    for n, (status, waiting_for, state, blocked_on) in enumerate(steps):
        registry(model, status, T0 + n, waiting_for)
        view = model.view(SID)
        assert (view.state, view.blocked_on, view.since) == (state, blocked_on, T0 + n)
    assert model.next_due(T0 + 3) == T0 + 3 + IDLE
    assert model.tick(T0 + 3 + IDLE - 1) == []
    [change] = model.tick(T0 + 3 + IDLE)
    assert (change.previous.state, change.view.state, change.view.since) == ("waiting", "idle", T0 + 3 + IDLE)
    [gone] = model.apply_registry("/c", [], T0 + 400)
    assert (gone.view.state, gone.view.since) == ("ended", T0 + 400)
    assert model.counts() == {"working": 0, "blocked": 0, "waiting": 0, "idle": 0}


def test_a_dead_process_ends_its_session_and_a_reused_pid_is_not_alive() -> None:
    model = LiveModel(IDLE)
    registry(model, "busy", T0)
    [change] = model.process_exited("/c", 4242, T0 + 5)
    assert change.view.state == "ended"
    model.apply_registry("/c", [(entry("busy", T0 + 6), False)], T0 + 6)  # the file is still there, the pid not
    assert model.state(SID) == "ended"


def test_the_most_precise_reason_wins_while_blocked() -> None:
    model = LiveModel(IDLE)
    hook = orjson.loads((DATA / "hook_payloads.json").read_bytes())["PermissionRequest:Write"]
    model.apply_hook(replace(parse_hook(hook), session_id=SID), T0)
    registry(model, "waiting", T0 + 0.3, "permission prompt")  # the registry says it 0.3 s later, less precisely
    view = model.view(SID)
    assert view.state == "blocked"
    assert view.blocked_on == "approve Write: /home/dev/runs/t134/home/dev/work/a.txt"
    assert view.since == T0
    registry(model, "busy", T0 + 2)  # approved: an older blocking reason no longer applies
    registry(model, "waiting", T0 + 3, "input needed")
    assert model.view(SID).blocked_on == "input needed"


def test_a_background_job_blocked_on_approval(tmp_path: Path) -> None:
    model = LiveModel(IDLE)
    job = parse_job_state((DATA / "job_state_blocked.json").read_bytes(), "c5a31db8", "/c")
    assert job is not None
    [change] = model.apply_job(job, T0)
    view = change.view
    assert (view.state, view.kind) == ("blocked", "background")
    assert view.blocked_on == "approve Write: /home/dev/runs/bg3/home/dev/work/d.txt"
    assert view.doing == "Writing d.txt"
    assert (view.name, view.prompt) == ("fake side answer", "please write a file [[file:d.txt]]")
    (tmp_path / "sessions").mkdir()
    (tmp_path / "sessions" / "29338.json").write_bytes((DATA / "registry_waiting.json").read_bytes())
    registry_entry = read_live_session(tmp_path / "sessions" / "29338.json", tmp_path)
    assert registry_entry is not None and registry_entry.waiting_for == "permission prompt"
    model.apply_registry("/c", [(registry_entry, True)], T0 + 1)
    assert model.view(job.session_id).blocked_on == view.blocked_on  # the job's `needs` is the precise one
    stopped = replace(job, state="stopped", updated_at=T0 + 10)
    model.apply_job(stopped, T0 + 10)
    assert model.state(job.session_id) == "ended"


def test_hooks_alone_follow_a_turn_and_doing_clears_when_it_ends() -> None:
    model = LiveModel(IDLE)
    payloads = orjson.loads((DATA / "hook_payloads.json").read_bytes())
    seen = []
    for n, event in enumerate(["UserPromptSubmit", "PreToolUse:Bash", "PostToolUse:Bash", "Stop", "SessionEnd"]):
        model.apply_hook(replace(parse_hook(payloads[event]), session_id=SID), T0 + n)
        view = model.view(SID)
        seen.append((view.state, view.doing))
    assert seen == [
        ("working", None),
        ("working", "Bash: sleep 4; echo slept"),
        ("working", "Bash: sleep 4; echo slept"),
        ("waiting", None),
        ("ended", None),
    ]


def test_without_live_signals_the_transcript_and_processes_decide() -> None:
    model = LiveModel(IDLE)
    facts = TranscriptFacts(SID, "/w", "tool_use", T0, "cli", "Edit: a.py")
    model.apply_transcripts([facts], T0 + 1)
    assert (model.state(SID), model.view(SID).doing) == ("working", "Edit: a.py")
    model.apply_transcripts([replace(facts, last_kind="answer", last_activity=T0 + 2)], T0 + 2)
    assert model.state(SID) == "waiting"
    model.apply_processes(frozenset({"/w"}), T0 + 3)
    assert model.state(SID) == "waiting"
    model.tick(T0 + 2 + IDLE + 1)
    assert model.state(SID) == "idle"
    model.apply_processes(frozenset(), T0 + 2 + IDLE + 2)
    assert model.state(SID) == "ended"


def test_headless_sessions_are_told_apart() -> None:
    model = LiveModel(IDLE)
    model.apply_transcripts([TranscriptFacts(SID, "/w", "answer", T0, "sdk-cli")], T0)
    assert model.view(SID).kind == "headless"


def test_the_view_as_json_is_the_contract() -> None:
    model = LiveModel(IDLE)
    registry(model, "waiting", T0, "permission prompt")
    assert model.view(SID).as_json() == {
        "state": "blocked",
        "stateSince": "2027-01-15T08:00:00.000Z",
        "blockedOn": "permission prompt",
        "kind": "interactive",
        "doing": None,
        "name": None,
        "prompt": None,
    }
