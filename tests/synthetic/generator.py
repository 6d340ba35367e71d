"""The whole corpus: which sessions to write, with which budget, layout and subagents, until the target size."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import BinaryIO

import orjson

from synthetic.constants import (
    AGENT_TYPES,
    BRANCHES,
    EPOCH_MS,
    KIB,
    MAIN_MODEL_WEIGHTS,
    MAIN_MODELS,
    MAX_AGENT_BYTES,
    MIB,
    MIN_SESSION_BYTES,
    NEW_STYLE_FROM,
    NEW_VERSIONS,
    OLD_VERSIONS,
    P_RESUME,
    P_SUBAGENTS,
    PROJECT_NAMES,
    PROJECT_PARENTS,
    SESSION_MEDIAN_BYTES,
    SESSION_SIGMA,
    SPAN_MS,
    SUBAGENT_MODEL_WEIGHTS,
    SUBAGENT_MODELS,
)
from synthetic.primitives import TextPool, TranscriptFile, clamp, encode_cwd, new_uuid, version_tuple
from synthetic.records import AgentCopy, AppendTarget, Params, SessionSpec, SpawnedAgent, Stats, Totals
from synthetic.session import Session


class Generator:
    """Writes a whole corpus: plans sessions lazily until the byte target is reached."""

    def __init__(self, out: Path, params: Params) -> None:
        self.out = out
        self.params = params
        self.rng = random.Random(params.seed)
        self.pool = TextPool(self.rng)
        self.totals = Totals()
        self.subagent_totals = Totals()  # the part of `totals` written in subagent files
        self.stats = Stats()
        self.projects = self._make_projects()
        self.project_weights = [1 / (i + 1) for i in range(len(self.projects))]
        self.large_budgets = self._large_budgets()
        self.resume_prefixes: dict[str, tuple[str, list[bytes]]] = {}
        self.used_agent_ids: set[str] = set()
        self.last_uuid = new_uuid(self.rng)
        self.append_target: AppendTarget | None = None
        self._history: BinaryIO | None = None

    def _make_projects(self) -> list[str]:
        count = clamp(self.params.size_mb / 15 + 3, 3, len(PROJECT_NAMES))
        return [f"{self.rng.choice(PROJECT_PARENTS)}/{name}" for name in PROJECT_NAMES[:count]]

    @property
    def large_top(self) -> int:
        return min(self.max_budget, int(0.2 * self.params.target_bytes))

    def _large_budgets(self) -> list[tuple[float, int]]:
        """A few large files (the biggest near --max-file-mb) at fixed points of the byte progress."""
        top = self.large_top
        return [(0.6, top), (0.4, top * 3 // 4), (0.15, top * 11 // 20)]

    @property
    def max_budget(self) -> int:
        # Leave room for the step that crosses the budget, so no file exceeds --max-file-mb.
        cap = self.params.max_file_bytes
        return cap - min(MIB, cap // 4)

    def run(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "projects").mkdir(exist_ok=True)
        with (self.out / "history.jsonl").open("wb", buffering=MIB) as history:
            self._history = history
            while self.stats.jsonl_bytes < self.params.target_bytes:
                self._write_main_session(*self._next_budget())

    def _next_budget(self) -> tuple[int, bool]:
        """The next main session's byte budget, and whether it is one of the planned large (long) sessions."""
        progress = self.stats.jsonl_bytes / max(1, self.params.target_bytes)
        if self.large_budgets and progress >= self.large_budgets[-1][0]:
            return self.large_budgets.pop()[1], True
        drawn = self.rng.lognormvariate(math.log(SESSION_MEDIAN_BYTES), SESSION_SIGMA)
        # Ordinary sessions stay below the planned large files and within what is left of the target.
        remaining = self.params.target_bytes - self.stats.jsonl_bytes
        return clamp(drawn, MIN_SESSION_BYTES, min(self.large_top // 4, remaining)), False

    def _spec(self, budget: int, long: bool) -> SessionSpec:
        rng = self.rng
        progress = self.stats.jsonl_bytes / max(1, self.params.target_bytes)
        start_ms = EPOCH_MS + int(progress * SPAN_MS * 0.97) + rng.randrange(12 * 3_600_000)
        versions = NEW_VERSIONS if progress >= NEW_STYLE_FROM else OLD_VERSIONS
        return SessionSpec(
            session_id=new_uuid(rng),
            cwd=rng.choices(self.projects, self.project_weights)[0],
            version=rng.choice(versions),
            branch=rng.choice(BRANCHES),
            model=rng.choices(MAIN_MODELS, MAIN_MODEL_WEIGHTS)[0],
            start_ms=start_ms,
            budget=budget,
            long=long,
            cache_mode=rng.choices(("5m", "1h", "mixed"), (70, 20, 10))[0],
        )

    def _write_main_session(self, budget: int, long: bool) -> None:
        spec = self._spec(budget, long)
        project_dir = self.out / "projects" / encode_cwd(spec.cwd)
        # A long session always plans subagents (so every corpus has both layouts), others now and then.
        agents = self._plan_agents() if self.rng.random() < P_SUBAGENTS or long else []
        path = project_dir / f"{spec.session_id}.jsonl"
        session = Session(self, spec, TranscriptFile(path), agents)
        self._maybe_resume(session)
        session.write_all()
        self._finish_file(session)
        self.stats.main_sessions += 1
        self._remember_append_target(session)

    def _plan_agents(self) -> list[str]:
        ids: list[str] = []
        for _ in range(self.rng.randint(1, 3)):
            agent_id = f"a{self.rng.getrandbits(24):06x}"
            while agent_id in self.used_agent_ids:
                agent_id = f"a{self.rng.getrandbits(24):06x}"
            self.used_agent_ids.add(agent_id)
            ids.append(agent_id)
        return ids

    def _maybe_resume(self, session: Session) -> None:
        """Start some sessions with a copy of an earlier session's first lines, as a resumed session does."""
        prefix = self.resume_prefixes.get(session.spec.cwd)
        if prefix is None or self.rng.random() >= P_RESUME:
            return
        old_id, lines = prefix
        new_id = session.spec.session_id.encode()
        for line in lines:
            session.file.write_raw(line.replace(old_id.encode(), new_id))
        self.stats.resumed_sessions += 1

    def write_agent(self, parent: SessionSpec, spawned: SpawnedAgent, project_dir: Path) -> tuple[list[AgentCopy], int]:
        """Write a subagent's file while its parent waits for the result; returns its lines to copy and its end."""
        rng = self.rng
        nested = version_tuple(parent.version) >= (2, 1)
        if nested:
            folder = project_dir / parent.session_id / "subagents"
            self._write_agent_meta(folder, spawned)
        else:
            folder = project_dir
        spec = SessionSpec(
            session_id=parent.session_id,
            cwd=parent.cwd,
            version=parent.version,
            branch=parent.branch,
            model=rng.choices(SUBAGENT_MODELS, SUBAGENT_MODEL_WEIGHTS)[0],
            start_ms=spawned.start_ms,
            budget=clamp(parent.budget * rng.uniform(0.05, 0.25), 8 * KIB, min(self.max_budget, MAX_AGENT_BYTES)),
            cache_mode=parent.cache_mode,
            agent_id=spawned.agent_id,
            agent_prompt=spawned.prompt,
        )
        session = Session(self, spec, TranscriptFile(folder / f"agent-{spawned.agent_id}.jsonl"), [])
        session.write_all()
        self._finish_file(session)
        if nested:
            self.stats.nested_agent_files += 1
        else:
            self.stats.flat_agent_files += 1
        return session.copies, session.clock

    @staticmethod
    def _write_agent_meta(folder: Path, spawned: SpawnedAgent) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"agentType": AGENT_TYPES[0], "description": spawned.description}
        (folder / f"agent-{spawned.agent_id}.meta.json").write_bytes(orjson.dumps(meta))

    def _finish_file(self, session: Session) -> None:
        session.file.close(session.clock)
        self.stats.files += 1
        self.stats.jsonl_bytes += session.file.bytes
        self.stats.lines += session.file.lines
        self.stats.largest_file_bytes = max(self.stats.largest_file_bytes, session.file.bytes)
        if session.spec.agent_id is None and session.prefix_lines:
            self.resume_prefixes[session.spec.cwd] = (session.spec.session_id, session.prefix_lines)
        self.last_uuid = session.parent_uuid or self.last_uuid

    def _remember_append_target(self, session: Session) -> None:
        if self.append_target is not None or not 256 * KIB <= session.file.bytes <= 8 * MIB:
            return
        spec = session.spec
        self.append_target = AppendTarget(
            path=session.file.path.relative_to(self.out).as_posix(),
            session_id=spec.session_id,
            cwd=spec.cwd,
            version=spec.version,
            last_uuid=session.parent_uuid or "",
            last_ms=session.clock,
        )

    def write_history(self, prompt: str, ms: int, spec: SessionSpec) -> None:
        entry = {
            "display": prompt[:200],
            "pastedContents": {},
            "timestamp": ms,
            "project": spec.cwd,
            "sessionId": spec.session_id,
        }
        assert self._history is not None, "write_history() is only called from run()"
        self._history.write(orjson.dumps(entry) + b"\n")
        self.stats.history_lines += 1
