"""The live model: every followed session's signals and the state they give, owned by the event loop.

Each source (the registry, background jobs, hooks, transcripts, legacy process scans) hands its latest word on a
session to `LiveModel`; the model keeps one `Tracked` per session, decides its state, and returns the sessions whose
view changed, which the monitor publishes. Time alone changes a state in one way (waiting turns idle; a quiet legacy
session ends): `next_due` tells when, so nothing is recomputed on a fixed timer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ccdeck.claude.hooks import HookSignal
from ccdeck.claude.jobs import BackgroundJob
from ccdeck.claude.timestamps import iso
from ccdeck.live.state import ACTIVE_STATES, STATES, Decision, Signal, State, decide, transcript_decision
from ccdeck.models import LiveSession
from ccdeck.shapes.common import ActiveCounts, LiveView, SessionKind

Kind = SessionKind
HEADLESS_ENTRYPOINTS = frozenset({"sdk-cli", "sdk-ts", "sdk-py"})


@dataclass(frozen=True, slots=True)
class TranscriptFacts:
    """What a session's stored row says: its last line's kind and time, where and how it runs."""

    session_id: str
    project_path: str | None
    last_kind: str | None
    last_activity: float | None
    entrypoint: str | None = None
    doing: str | None = None


@dataclass(frozen=True, slots=True)
class View:
    """What clients are told of a session's liveness (the `session.state` message and the session row fields)."""

    state: State
    since: float | None
    blocked_on: str | None
    kind: Kind
    doing: str | None
    name: str | None = None  # the registry's or background job's name for the session
    prompt: str | None = None  # a background job's prompt (`intent`)

    def as_json(self) -> LiveView:
        return {"state": self.state, "stateSince": iso(self.since), "blockedOn": self.blocked_on,
                "kind": self.kind, "doing": self.doing, "name": self.name, "prompt": self.prompt}  # fmt: skip


ENDED_VIEW = View("ended", None, None, "interactive", None)


@dataclass(frozen=True, slots=True)
class Change:
    session_id: str
    previous: View
    view: View


@dataclass(slots=True)
class Tracked:
    session_id: str
    registry: Signal | None = None
    registry_entry: LiveSession | None = None
    job: Signal | None = None
    job_entry: BackgroundJob | None = None
    hook: Signal | None = None
    hook_doing: str | None = None
    transcript: TranscriptFacts | None = None
    cleared_at: float = 0.0
    legacy_alive: bool | None = None  # a claude process in its folder (versions without a registry)
    remote: View | None = None  # another machine's session: the state that machine stored, shown as it is
    view: View = field(default_factory=lambda: ENDED_VIEW)

    def record(self, signal: Signal | None) -> Signal | None:
        """Note when a source last said something other than blocked (it answers older blocking signals)."""
        if signal is not None and signal.state != "blocked":
            self.cleared_at = max(self.cleared_at, signal.at)
        return signal

    def live_signals(self) -> list[Signal]:
        return [s for s in (self.registry, self.job, self.hook) if s is not None]

    def kind(self) -> Kind:
        if self.job_entry is not None or (self.registry_entry is not None and self.registry_entry.kind == "bg"):
            return "background"
        if self.transcript is not None and self.transcript.entrypoint in HEADLESS_ENTRYPOINTS:
            return "headless"
        return "interactive"

    def decide(self, now: float, idle_after: float) -> Decision:
        decision = decide(self.live_signals(), now, idle_after, self.cleared_at)
        if decision is not None:
            return decision
        facts = self.transcript
        last_kind, last_activity = (facts.last_kind, facts.last_activity) if facts else (None, None)
        return transcript_decision(last_kind, last_activity, now, idle_after, self.legacy_alive)

    def doing(self, state: State) -> str | None:
        if state not in ("working", "blocked"):
            return None  # "now: ..." clears when the turn ends
        if self.job_entry is not None and self.job_entry.detail:
            return self.job_entry.detail
        if self.hook_doing:
            return self.hook_doing
        return self.transcript.doing if self.transcript else None

    def name(self) -> str | None:
        job, entry = self.job_entry, self.registry_entry
        return (job.name if job else None) or (entry.name if entry else None)


class LiveModel:
    """Not thread-safe by design: only the event loop calls it."""

    def __init__(self, idle_after: float) -> None:
        self.idle_after = idle_after
        self.sessions: dict[str, Tracked] = {}
        self._registry_pids: dict[tuple[str, int], str] = {}  # (config dir, pid) -> session id

    # sources ---------------------------------------------------------------------------------------------------
    def apply_registry(self, config_dir: str, entries: Iterable[tuple[LiveSession, bool]], now: float) -> list[Change]:
        """The whole registry of one config dir: (entry, its process lives) for each file there now."""
        seen: dict[tuple[str, int], str] = {}
        touched: set[str] = set()
        for entry, alive in entries:
            key = (config_dir, entry.pid)
            seen[key] = entry.session_id
            tracked = self._tracked(entry.session_id)
            tracked.registry_entry = entry
            tracked.registry = tracked.record(_registry_signal(entry, alive, now))
            tracked.legacy_alive = alive  # decides with the transcript on versions whose registry has no status
            touched.add(entry.session_id)
        for key, session_id in list(self._registry_pids.items()):
            if key[0] == config_dir and key not in seen:
                touched |= self._registry_gone(session_id, now)
                del self._registry_pids[key]
        self._registry_pids.update(seen)
        return self._refresh(touched, now)

    def process_exited(self, config_dir: str, pid: int, now: float) -> list[Change]:
        session_id = self._registry_pids.get((config_dir, pid))
        if session_id is None:
            return []
        return self._refresh(self._registry_gone(session_id, now), now)

    def apply_job(self, job: BackgroundJob, now: float) -> list[Change]:
        tracked = self._tracked(job.session_id)
        tracked.job_entry = job
        tracked.job = tracked.record(_job_signal(job, now))
        return self._refresh({job.session_id}, now)

    def apply_hook(self, hook: HookSignal, now: float) -> list[Change]:
        tracked = self._tracked(hook.session_id)
        if hook.state is not None:
            precision = 1 if hook.event == "PermissionRequest" else 0
            tracked.hook = tracked.record(Signal(hook.state, now, hook.blocked_on, precision))
            if hook.doing is not None or hook.event == "UserPromptSubmit":
                tracked.hook_doing = hook.doing  # a new prompt starts with nothing done yet
        return self._refresh({hook.session_id}, now)

    def apply_transcripts(self, facts: Iterable[TranscriptFacts], now: float) -> list[Change]:
        touched = set()
        for fact in facts:
            self._tracked(fact.session_id).transcript = fact
            touched.add(fact.session_id)
        return self._refresh(touched, now)

    def apply_processes(self, cwds: frozenset[str], now: float) -> list[Change]:
        """Versions without a registry: a claude process in a folder keeps that folder's newest session alive."""
        newest: dict[str, TranscriptFacts] = {}
        for tracked in self.sessions.values():
            facts = tracked.transcript
            if tracked.registry_entry is None and facts is not None and facts.project_path in cwds:
                held = newest.get(facts.project_path)
                if held is None or (facts.last_activity or 0) > (held.last_activity or 0):
                    newest[facts.project_path] = facts
        alive = {facts.session_id for facts in newest.values()}
        for tracked in self.sessions.values():
            if tracked.registry_entry is None:
                tracked.legacy_alive = tracked.session_id in alive
        return self._refresh(set(self.sessions), now)

    def apply_remote(self, views: Mapping[str, View], now: float) -> list[Change]:
        """Sessions of other machines (a shared database): the views their machines computed, shown as they are."""
        for session_id, view in views.items():
            self._tracked(session_id).remote = view
        return self._refresh(set(views), now)

    def tick(self, now: float) -> list[Change]:
        return self._refresh(set(self.sessions), now)

    # reading ---------------------------------------------------------------------------------------------------
    def view(self, session_id: str) -> View:
        tracked = self.sessions.get(session_id)
        return tracked.view if tracked else ENDED_VIEW

    def is_local(self, session_id: str) -> bool:
        """Whether this machine's own live sources (registry, job, hook) follow the session."""
        t = self.sessions.get(session_id)
        return t is not None and t.remote is None and (t.registry_entry or t.job_entry or t.hook) is not None

    def state(self, session_id: str) -> State:
        return self.view(session_id).state

    def active_ids(self) -> list[str]:
        return [sid for sid, t in self.sessions.items() if t.view.state in ACTIVE_STATES]

    def counts(self) -> ActiveCounts:
        counts = dict.fromkeys((state for state in STATES if state in ACTIVE_STATES), 0)
        for tracked in self.sessions.values():
            if tracked.view.state in ACTIVE_STATES:
                counts[tracked.view.state] += 1
        return ActiveCounts(working=counts["working"], blocked=counts["blocked"], waiting=counts["waiting"],
                            idle=counts["idle"])  # fmt: skip

    def next_due(self, now: float) -> float | None:
        """When time alone next changes a view: a waiting session turns idle, a quiet legacy one ends."""
        due = [d for t in self.sessions.values() if (d := self._due(t)) is not None and d > now]
        return min(due, default=None)

    def _due(self, tracked: Tracked) -> float | None:
        if tracked.remote is not None:
            return None  # its machine's clock changes it
        signals = tracked.live_signals()
        if signals:
            latest = max(signals, key=lambda s: s.at)
            return latest.at + self.idle_after if latest.state == "waiting" else None
        facts = tracked.transcript
        if facts is None or facts.last_activity is None or tracked.view.state == "ended":
            return None
        return facts.last_activity + self.idle_after + 0.001

    # internals -------------------------------------------------------------------------------------------------
    def _tracked(self, session_id: str) -> Tracked:
        tracked = self.sessions.get(session_id)
        if tracked is None:
            tracked = self.sessions[session_id] = Tracked(session_id)
        return tracked

    def _registry_gone(self, session_id: str, now: float) -> set[str]:
        tracked = self.sessions.get(session_id)
        if tracked is None:
            return set()
        tracked.registry = tracked.record(Signal("ended", now))
        tracked.legacy_alive = False
        if tracked.job is not None and tracked.job.state != "ended":
            tracked.job = tracked.record(Signal("ended", now))  # a background job's process is its registry entry's
        return {session_id}

    def _refresh(self, ids: set[str], now: float) -> list[Change]:
        changed = []
        for session_id in sorted(ids):
            tracked = self.sessions.get(session_id)
            if tracked is None:
                continue
            view = tracked.remote or self._decided(tracked, now)
            previous = tracked.view
            if view != previous:
                if view.state == previous.state and previous.since is not None:
                    view = dataclasses.replace(view, since=previous.since)
                tracked.view = view
                changed.append(Change(session_id, previous, view))
        return changed

    def _decided(self, tracked: Tracked, now: float) -> View:
        decision = tracked.decide(now, self.idle_after)
        job = tracked.job_entry
        return View(decision.state, decision.since, decision.blocked_on, tracked.kind(),
                    tracked.doing(decision.state), tracked.name(), job.intent if job else None)  # fmt: skip


def _registry_signal(entry: LiveSession, alive: bool, now: float) -> Signal | None:
    if not alive:
        return Signal("ended", now)
    at = entry.status_updated_at or entry.updated_at or entry.started_at or now
    if entry.status == "busy":
        return Signal("working", at)
    if entry.status == "waiting":
        return Signal("blocked", at, entry.waiting_for or "input needed")
    if entry.status == "idle":
        return Signal("waiting", at)
    return None  # no status (older 2.1.x, or the first 0.3 s of a session): other signals decide


def _job_signal(job: BackgroundJob, now: float) -> Signal | None:
    at = job.updated_at or now
    if job.state == "stopped":
        return Signal("ended", at)
    if job.tempo == "blocked":
        return Signal("blocked", at, job.needs or "input needed", precision=2)
    if job.tempo == "active":
        return Signal("working", at)
    if job.tempo == "idle":
        return Signal("waiting", at)
    return None
