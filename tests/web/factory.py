"""Langfuse ingestion batches for web tests: traces with a generation, as the 2.x SDK sends them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def trace_batch(
    trace_id: str, *, at: datetime = T0, name: str = "chat", user: str | None = None, session: str | None = None,
    tags: list[str] | None = None, question: str = "What is the capital of France?", answer: str = "Paris.",
    latency_ms: int = 500, tokens: tuple[int, int] = (10, 5), cost: float | None = 0.001, **trace_fields: Any,
) -> list[dict[str, Any]]:  # fmt: skip
    """A trace-create plus a nested span and generation with chat messages, usage and cost."""
    end = at + timedelta(milliseconds=latency_ms)
    trace: dict[str, Any] = {"id": trace_id, "timestamp": _iso(at), "name": name, "input": question, "output": answer}
    trace.update({k: v for k, v in (("userId", user), ("sessionId", session), ("tags", tags)) if v is not None})
    trace.update(trace_fields)
    span_id = f"{trace_id}-span"
    generation: dict[str, Any] = {
        "id": f"{trace_id}-gen", "traceId": trace_id, "parentObservationId": span_id, "name": "llm-call",
        "startTime": _iso(at + timedelta(milliseconds=10)), "endTime": _iso(end),
        "completionStartTime": _iso(at + timedelta(milliseconds=110)), "model": "gpt-4o-mini",
        "modelParameters": {"temperature": 0.2},
        "input": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": question}],
        "output": {"role": "assistant", "content": answer},
        "usage": {"input": tokens[0], "output": tokens[1], "total": sum(tokens), "unit": "TOKENS"},
    }  # fmt: skip
    if cost is not None:
        generation["costDetails"] = {"total": cost}
    span = {"id": span_id, "traceId": trace_id, "name": "answer", "startTime": _iso(at), "endTime": _iso(end)}
    return [
        {"id": str(uuid.uuid4()), "type": "trace-create", "timestamp": _iso(at), "body": trace},
        {"id": str(uuid.uuid4()), "type": "span-create", "timestamp": _iso(at), "body": span},
        {"id": str(uuid.uuid4()), "type": "generation-create", "timestamp": _iso(at), "body": generation},
    ]
