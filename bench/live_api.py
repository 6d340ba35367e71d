"""`/api/sessions` latency: sequential GETs of each variant on one keep-alive connection."""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass, field

import orjson

from bench.live_server import BenchError, Server

API_WARMUP = 5
Q_TEXT = "billing"


@dataclass
class ApiFigures:
    samples: dict[str, list[float]] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)  # the response's "total"
    error: str | None = None


def api_variants() -> dict[str, str]:
    return {
        "`/api/sessions`": "/api/sessions",
        "`/api/sessions?sort=cost`": "/api/sessions?sort=cost",
        f"`/api/sessions?q={Q_TEXT}`": f"/api/sessions?q={Q_TEXT}",
    }


def time_requests(port: int, path: str, count: int) -> tuple[list[float], int]:
    """``count`` sequential GETs on one keep-alive connection (after a few untimed ones); (seconds, total)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples: list[float] = []
    total = 0
    try:
        for index in range(API_WARMUP + count):
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise BenchError(f"{path} answered {response.status}: {body[:120]!r}")
            if index >= API_WARMUP:
                samples.append(elapsed)
            else:
                total = int(orjson.loads(body).get("total", 0))
    finally:
        conn.close()
    return samples, total


def measure_api(server: Server, count: int) -> ApiFigures:
    figures = ApiFigures()
    for name, path in api_variants().items():
        print(f"measuring {count} x {path} ...", flush=True)
        figures.samples[name], figures.matched[name] = time_requests(server.port, path, count)
    return figures
