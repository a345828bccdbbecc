"""An interleaved ingestion workload for the replica tests: many events per trace id, updates sent before creates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

_T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _iso(seconds: float) -> str:
    return (_T0 + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _event(kind: str, seq: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"ev-{seq:05d}-{kind}", "type": kind, "timestamp": _iso(seq / 100), "body": body}


def workload(traces: int) -> list[dict[str, Any]]:
    """Envelopes in delivery order: every update and late event first, then the creates they update."""
    creates: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    seq = 0
    for i in range(traces):
        tid, gid, sid = f"trace-{i}", f"gen-{i}", f"span-{i}"
        base = i * 10
        seq += 1
        creates.append(_event("trace-create", seq, {
            "id": tid, "timestamp": _iso(base), "name": "chat", "userId": f"user-{i % 3}",
            "sessionId": f"session-{i % 4}", "tags": ["create"], "metadata": {"step": "create", "a": 1},
            "input": {"question": f"q{i}"},
        }))  # fmt: skip
        seq += 1
        creates.append(_event("generation-create", seq, {
            "id": gid, "traceId": tid, "name": "llm", "startTime": _iso(base + 1), "model": "gpt-4o-mini",
            "input": [{"role": "user", "content": f"q{i}"}], "modelParameters": {"temperature": "0.2"},
            "usage": {"input": 10 + i, "output": 5, "total": 15 + i},
        }))  # fmt: skip
        seq += 1
        creates.append(_event("span-create", seq, {
            "id": sid, "traceId": tid, "parentObservationId": gid, "name": "post", "startTime": _iso(base + 2),
        }))  # fmt: skip
        seq += 1
        updates.append(_event("trace-create", seq, {
            "id": tid, "output": {"answer": f"a{i}"}, "tags": ["update"], "metadata": {"step": "update", "b": 2},
        }))  # fmt: skip
        seq += 1
        updates.append(_event("generation-update", seq, {
            "id": gid, "traceId": tid, "endTime": _iso(base + 3), "output": {"role": "assistant", "content": f"a{i}"},
            "completionStartTime": _iso(base + 1.5), "level": "WARNING" if i % 5 == 0 else None,
        }))  # fmt: skip
        seq += 1
        updates.append(_event("span-update", seq, {"id": sid, "traceId": tid, "endTime": _iso(base + 4),
                                                    "statusMessage": "ok"}))  # fmt: skip
        seq += 1
        updates.append(_event("event-create", seq, {"id": f"event-{i}", "traceId": tid, "name": "click",
                                                     "startTime": _iso(base + 5)}))  # fmt: skip
        seq += 1
        updates.append(_event("score-create", seq, {"id": f"score-{i}", "traceId": tid, "name": "quality",
                                                     "value": i / traces}))  # fmt: skip
    return updates + creates


def send(client: httpx.Client, envelopes: list[dict[str, Any]], batch: int = 7) -> None:
    for start in range(0, len(envelopes), batch):
        response = client.post("/api/public/ingestion", json={"batch": envelopes[start : start + batch]})
        assert response.status_code == 207, response.text
        assert response.json()["errors"] == [], response.text


_VOLATILE = {"createdAt", "updatedAt", "projectId", "htmlPath"}


def normalised(value: Any, strict: bool = False) -> Any:
    """An API answer without what differs between two stores holding the same data (project ids, write clocks),
    or with everything when `strict`; child lists in id order either way."""
    if isinstance(value, dict):
        out = {k: normalised(v, strict) for k, v in value.items() if strict or k not in _VOLATILE}
        if isinstance(out.get("userIds"), list):
            out["userIds"] = sorted(out["userIds"])  # a session's users come in no particular order
        for key in ("observations", "scores"):
            if isinstance(out.get(key), list):
                out[key] = sorted(out[key], key=lambda item: str(item.get("id")) if isinstance(item, dict) else item)
        return out
    if isinstance(value, list):
        return [normalised(v, strict) for v in value]
    if isinstance(value, float):
        # Sums of costs depend on the order rows are added in, which no store promises: compare to 12 digits.
        return float(f"{value:.12g}")
    return value


def snapshot(client: httpx.Client, trace_ids: list[str], strict: bool = False) -> dict[str, Any]:
    """Every trace (with observations and scores) and the sessions list, as the public API answers them."""
    out: dict[str, Any] = {}
    for trace_id in trace_ids:
        response = client.get(f"/api/public/traces/{trace_id}")
        assert response.status_code == 200, response.text
        out[trace_id] = normalised(response.json(), strict)
    listing = client.get("/api/public/traces", params={"limit": 100, "orderBy": "timestamp.asc"})
    assert listing.status_code == 200, listing.text
    out["_list"] = normalised(listing.json(), strict)
    sessions = client.get("/api/public/sessions", params={"limit": 100})
    assert sessions.status_code == 200, sessions.text
    out["_sessions"] = normalised(sessions.json(), strict)
    return out


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two API answers differ, as `path: a != b` lines (for assertion messages)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b), key=str) for d in differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r:.200} != {b!r:.200}"]
