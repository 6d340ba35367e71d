"""OTLP/HTTP intake: Claude Code anywhere, with `OTEL_EXPORTER_OTLP_ENDPOINT=http://<ccdeck>:8484`, POSTs its logs
to `/v1/logs` and its metrics to `/v1/metrics` (JSON or protobuf, maybe gzip); `ccdeck.otel` turns them into
sessions and responses, and clients hear of the change as after an ingest batch.

Answers as OTLP expects: 200 and an empty `Export*ServiceResponse` in the request's encoding; 400 for a body that is
not an export, 413 past `MAX_BODY_BYTES` (sent or inflated), 415 for another content type or encoding. The guard
(`web/security.py`) applies as to every route: off loopback the token is required (`OTEL_EXPORTER_OTLP_HEADERS=
Authorization=Bearer <token>`); a browser's cross-origin POST is refused by its Origin. `/v1/traces` is accepted and
dropped, so that an exporter with traces on logs no errors.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ccdeck.otel.decode import (
    MAX_BODY_BYTES,
    BadBody,
    Encoding,
    TooLarge,
    UnsupportedMedia,
    decode_logs,
    decode_metrics,
    empty_answer,
    encoding_of,
    inflate,
)
from ccdeck.otel.intake import Intake
from ccdeck.store.telemetry import write_telemetry
from ccdeck.web.state import monitor_of, store_of

router = APIRouter(prefix="/v1", include_in_schema=False)
Signal = Literal["logs", "metrics", "traces"]
MEDIA = {"json": "application/json", "protobuf": "application/x-protobuf"}


@router.post("/logs")
async def logs(request: Request) -> Response:
    return await _export(request, "logs")


@router.post("/metrics")
async def metrics(request: Request) -> Response:
    return await _export(request, "metrics")


@router.post("/traces")
async def traces(request: Request) -> Response:
    return await _export(request, "traces")


async def _export(request: Request, signal: Signal) -> Response:
    try:
        encoding = encoding_of(request.headers.get("content-type"))
        body = await _body(request)
        await asyncio.to_thread(_take, request, signal, encoding, body)
    except UnsupportedMedia as exc:
        return _refusal(415, exc)
    except TooLarge as exc:
        return _refusal(413, exc)
    except BadBody as exc:
        return _refusal(400, exc)
    return Response(empty_answer(encoding), media_type=MEDIA[encoding])


async def _body(request: Request) -> bytes:
    """The body as sent, inflated; TooLarge past MAX_BODY_BYTES either way (read no further than that)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise TooLarge(f"an export is at most {MAX_BODY_BYTES} bytes")
    return inflate(bytes(body), request.headers.get("content-encoding"))


def _take(request: Request, signal: Signal, encoding: Encoding, body: bytes) -> None:
    """In a worker thread: decode, store in one transaction, tell the live monitor."""
    if signal == "traces":
        return
    intake = Intake(request.client.host if request.client else None)
    batch = intake.add_logs(decode_logs(body, encoding)) if signal == "logs" else intake.add_metrics(
        decode_metrics(body, encoding))  # fmt: skip
    if not batch.sessions:
        return
    result = store_of(request).write(functools.partial(write_telemetry, batch=batch))
    monitor_of(request).telemetry_written(result)


def _refusal(status: int, exc: Exception) -> Response:
    return JSONResponse({"detail": str(exc).splitlines()[0]}, status_code=status)
