"""Property test of both ingestion doors on a live server (issue 11): batches and OTLP requests full of hostile values
never get a 5xx, every good item beside them is committed and readable, and the server log shows no traceback.
Re-run on PostgreSQL by tests/postgres."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

HOSTILE_TEXT = [
    "--1", "²", "٣", "12345678901234567890", "9" * 40, "-9" * 20, "1e308", "1e17", "Infinity", "-Infinity", "NaN",
    "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00", "2026-11-27T10:00:00Z", "2201-01-01T00:00:00Z", "",
    "a\x00b", "\x00", "\\u0000", "{\"input\": 1e300}", "[1, 2", "(a)\\1", "🙂" * 3,
]  # fmt: skip
NUMBERS = st.one_of(
    st.integers(min_value=-(2**64), max_value=2**64),
    st.sampled_from([2**63, 2**63 - 1, -(2**63), 10**19, 9e15, 1e17, 1e300, 1e308, -1e308, 0.5, -1, 0]),
    st.floats(allow_nan=False, allow_infinity=False),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.sampled_from(HOSTILE_TEXT), st.text(max_size=8))
KEYS = st.sampled_from(["input", "output", "total", "k"])
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3), max_leaves=8
)
BODY_KEYS = [
    "timestamp", "startTime", "endTime", "completionStartTime", "name", "userId", "sessionId", "tags", "metadata",
    "input", "output", "public", "level", "model", "modelParameters", "usage", "usageDetails", "costDetails",
    "promptName", "promptVersion", "value", "dataType", "traceId", "parentObservationId", "version", "environment",
]  # fmt: skip
KINDS = ["trace-create", "span-create", "span-update", "generation-create", "generation-update", "event-create",
         "observation-create", "score-create", "sdk-log"]  # fmt: skip
STAMP = "2026-11-27T10:00:00Z"


@st.composite
def hostile_items(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"id": draw(st.sampled_from(["h1", "h2", "h\x00", "9" * 30])) + uuid.uuid4().hex[:6]}
    body.update(draw(st.dictionaries(st.sampled_from(BODY_KEYS), VALUES, min_size=1, max_size=5)))
    if draw(st.booleans()):
        body["traceId"] = "fuzz-trace"
    envelope_id = draw(st.one_of(st.just(uuid.uuid4().hex), st.sampled_from(HOSTILE_TEXT), SCALARS))
    return {"id": envelope_id, "type": draw(st.sampled_from(KINDS)), "timestamp": draw(st.one_of(
        st.just(STAMP), SCALARS)), "body": body}  # fmt: skip


def _any_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, list):
        return {"arrayValue": {"values": [_any_value(v) for v in value]}}
    if isinstance(value, dict):
        return {"kvlistValue": {"values": [{"key": k, "value": _any_value(v)} for k, v in value.items()]}}
    return {"stringValue": "" if value is None else str(value)}


ATTRIBUTE_KEYS = [
    "langfuse.observation.type", "langfuse.observation.usage_details", "langfuse.observation.cost_details",
    "langfuse.observation.completion_start_time", "langfuse.observation.prompt.name",
    "langfuse.observation.prompt.version", "langfuse.observation.model.parameters", "langfuse.observation.level",
    "langfuse.observation.metadata.k", "langfuse.trace.tags", "langfuse.trace.public", "langfuse.trace.metadata",
    "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.cost", "gen_ai.request.model",
    "llm.token_count.prompt", "user.id", "session.id",
]  # fmt: skip
NANOS = st.one_of(
    st.just("1764237600000000000"), st.sampled_from(["1" * 40, "9" * 20, "-5", "--1", "²", "0", ""]),
    st.integers(min_value=0, max_value=2**64 - 1).map(str),
)  # fmt: skip


@st.composite
def hostile_spans(draw: st.DrawFn, trace_id: str) -> dict[str, Any]:
    attributes = draw(st.dictionaries(st.sampled_from(ATTRIBUTE_KEYS), VALUES, max_size=5))
    return {
        "traceId": trace_id, "spanId": uuid.uuid4().hex[:16], "name": draw(st.sampled_from(["s", "n\x00", "ok"])),
        "startTimeUnixNano": draw(NANOS), "endTimeUnixNano": draw(NANOS),
        "attributes": [{"key": k, "value": _any_value(v)} for k, v in attributes.items()],
    }  # fmt: skip


@pytest.fixture(scope="module")
def client(module_server: ServerProcess) -> Iterator[httpx.Client]:
    with module_server.client() as http:
        yield http


def _exists(client: httpx.Client, path: str) -> bool:
    response = client.get(path)
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(hostile_items(), min_size=1, max_size=6), position=st.integers(0, 6))
def test_a_batch_with_hostile_items_commits_its_good_ones(
    client: httpx.Client, items: list[dict[str, Any]], position: int
) -> None:
    good = uuid.uuid4().hex
    control = [
        {"id": f"trace-{good}", "type": "trace-create", "timestamp": STAMP, "body": {"id": good, "name": "control"}},
        {"id": f"gen-{good}", "type": "generation-create", "timestamp": STAMP,
         "body": {"id": f"g-{good}", "traceId": good, "model": "gpt-4o", "usage": {"input": 5}}},
    ]  # fmt: skip
    batch = [*items[:position], *control, *items[position:]]
    response = client.post("/api/public/ingestion", content=json.dumps({"batch": batch}),
                           headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 207, response.text
    result = response.json()
    assert {f"trace-{good}", f"gen-{good}"} <= {s["id"] for s in result["successes"]}
    assert all(e["status"] == 400 and e["message"] for e in result["errors"]), result["errors"]
    detail = client.get(f"/api/public/traces/{good}")
    assert detail.status_code == 200 and [o["id"] for o in detail.json()["observations"]] == [f"g-{good}"]
    accepted = {s["id"] for s in result["successes"]}
    for item in batch:
        # Every accepted trace-create (told apart by a unique envelope id) is readable.
        unique = sum(1 for other in batch if other["id"] == item["id"]) == 1
        if unique and item["id"] in accepted and item["type"] == "trace-create":
            assert _exists(client, f"/api/public/traces/{quote(item['body']['id'], safe='')}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_an_otlp_request_with_hostile_spans_commits_its_good_ones(client: httpx.Client, data: st.DataObject) -> None:
    trace_id = uuid.uuid4().hex
    spans = data.draw(st.lists(hostile_spans(trace_id), max_size=5))
    control = {"traceId": trace_id, "spanId": uuid.uuid4().hex[:16], "name": "control",
               "startTimeUnixNano": "1764237600000000000", "endTimeUnixNano": "1764237601000000000"}  # fmt: skip
    spans.insert(data.draw(st.integers(0, len(spans))), control)
    payload = {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [
        {"scope": {"name": "langfuse-sdk", "version": "5.0.4"}, "spans": spans}]}]}  # fmt: skip
    response = client.post("/api/public/otel/v1/traces", content=json.dumps(payload),
                           headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 200, response.text
    detail = client.get(f"/api/public/traces/{trace_id}")
    assert detail.status_code == 200, detail.text
    assert control["spanId"] in {o["id"] for o in detail.json()["observations"]}


def test_reads_after_the_fuzz_work_and_the_log_has_no_traceback(
    client: httpx.Client, module_server: ServerProcess
) -> None:
    reads = ["/api/public/traces", "/api/public/observations", "/api/public/v2/observations", "/api/public/scores",
             "/api/public/v3/scores", "/api/public/sessions", "/api/public/metrics/daily"]  # fmt: skip
    for path in reads:
        response = client.get(path, params={"limit": 100})
        assert response.status_code == 200, (path, response.text)
    log = module_server.log()
    assert "Traceback" not in log, log[-5000:]
    assert " 500 " not in log, log[-5000:]
