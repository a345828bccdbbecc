"""The captured OTLP requests of the 3.x-5.x Python SDKs and the JS SDKs, replayed over HTTP, read back as traces."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import zlib
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from spyglass.app import create_app
from spyglass.config import Settings
from spyglass.projects import bootstrap
from spyglass.store.base import Store
from tests.support.payloads import PAYLOADS, body, capture, raw_body
from tests.support.server import PUBLIC_KEY, SECRET_KEY

pytestmark = pytest.mark.anyio
VALUE_LIMIT = 200_000


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The default settings with a small per-value limit, so an over-limit value fits in one request body."""
    return Settings(data_dir=tmp_path / "data", init_public_key=PUBLIC_KEY, init_secret_key=SECRET_KEY,
                    max_value_bytes=VALUE_LIMIT)  # fmt: skip


OTLP = "/api/public/otel/v1/traces"
PROTOBUF = {"Content-Type": "application/x-protobuf"}
V5_TRACE = "ca264a8b615f4c4ba18dae6f899cce17"


async def post_protobuf(client: httpx.AsyncClient, data: bytes, *, gzipped: bool = False) -> ExportTraceServiceResponse:
    headers = dict(PROTOBUF)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
        data = gzip.compress(data)
    response = await client.post(OTLP, content=data, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-protobuf"
    parsed = ExportTraceServiceResponse()
    parsed.ParseFromString(response.content)
    return parsed


async def post_json(client: httpx.AsyncClient, payload: Any, path: str = OTLP) -> dict[str, Any]:
    response = await client.post(path, content=json.dumps(payload), headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def read_trace(client: httpx.AsyncClient, trace_id: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    response = await client.get(f"/api/public/traces/{trace_id}")
    assert response.status_code == 200, response.text
    trace = response.json()
    return trace, {o["name"]: o for o in trace["observations"]}


def user_metadata(observation: dict[str, Any]) -> dict[str, Any]:
    """The caller's metadata keys, without the OTel provenance Spyglass adds."""
    meta = observation["metadata"] or {}
    return {k: v for k, v in meta.items() if k not in ("resourceAttributes", "scope", "attributes")}


async def test_5x_protobuf_gzip_reads_back_as_one_trace(app_client: httpx.AsyncClient) -> None:
    result = await post_protobuf(app_client, raw_body("5.0.4", "002-otlp-trace-spans-generation"), gzipped=True)
    assert result.partial_success.rejected_spans == 0
    assert result.partial_success.error_message == ""

    trace, obs = await read_trace(app_client, V5_TRACE)
    assert trace["name"] == "chat-trace"
    assert trace["userId"] == "user-1"
    assert trace["sessionId"] == "sess-1"
    assert trace["tags"] == ["seed", "v5"]
    assert trace["metadata"] == {"tenant": "acme", "source": "seed", "n": 1}  # 5.x sends "\"acme\""
    assert trace["public"] is True
    assert trace["release"] == "rel-1.0"
    assert trace["version"] == "app-1"
    assert trace["environment"] == "dev"
    assert trace["input"] == {"q": "hi"}  # from the root observation: 5.x has no trace input attribute
    assert trace["output"] == {"answer": "hello"}
    assert trace["level"] == "ERROR"
    assert trace["observationCount"] == 6
    assert trace["timestamp"] == obs["chat"]["startTime"]

    root = obs["chat"]
    assert root["type"] == "SPAN"
    assert root["parentObservationId"] is None
    assert user_metadata(root) == {"source": "seed", "n": 1}
    assert root["metadata"]["resourceAttributes"]["service.name"] == "unknown_service:python"
    assert root["metadata"]["scope"] == {"name": "langfuse-sdk", "version": "5.0.4",
                                         "attributes": {"public_key": "pk-lf-test"}}  # fmt: skip

    gen = obs["llm-call"]
    assert gen["type"] == "GENERATION"
    assert gen["parentObservationId"] == root["id"]
    assert gen["model"] == "gpt-4o-mini"
    assert gen["modelParameters"] == {"temperature": 0.2, "max_tokens": 100}
    assert gen["usageDetails"] == {"input": 10, "output": 5, "total": 15}
    assert gen["costDetails"] == {"input": 0.0001, "output": 0.0002, "total": 0.0003}
    assert gen["input"] == [{"role": "user", "content": "hi"}]
    assert gen["output"] == {"role": "assistant", "content": "hello"}
    assert gen["version"] == "app-1"
    assert gen["environment"] == "dev"
    assert gen["startTime"] == "2026-11-27T12:51:39.905974Z"
    assert gen["endTime"] == "2026-11-27T12:51:39.926676Z"

    assert obs["search-tool"]["type"] == "TOOL"
    assert obs["search-tool"]["parentObservationId"] == obs["retrieval"]["id"]
    assert (obs["retrieval"]["level"], obs["retrieval"]["statusMessage"]) == ("WARNING", "slow index")
    assert (obs["tool-call"]["level"], obs["tool-call"]["statusMessage"]) == ("ERROR", "tool exploded")
    event = obs["user-feedback-clicked"]
    assert event["type"] == "EVENT"
    assert user_metadata(event) == {"btn": "thumbs"}


async def test_every_generation_stores_the_same_metadata(app_client: httpx.AsyncClient) -> None:
    """3.x/4.x send typed values, 5.x JSON-encodes every value: the stored values are the same."""
    cases = [("3.15.0", "001-otlp-update-trace-and-spans"), ("4.18.0", "001-otlp-propagated-attributes"),
             ("5.0.4", "002-otlp-trace-spans-generation")]  # fmt: skip
    seen = []
    for version, name in cases:
        await post_protobuf(app_client, raw_body(version, name))
        trace_id = body(version, name)["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]
        trace, obs = await read_trace(app_client, trace_id)
        seen.append(
            (trace["name"], trace["userId"], trace["sessionId"], trace["metadata"], user_metadata(obs["chat"]),
             user_metadata(obs["user-feedback-clicked"]), obs["llm-call"]["usageDetails"], trace["input"])
        )  # fmt: skip
    assert seen[0] == seen[1] == seen[2], seen
    assert seen[0][3] == {"tenant": "acme", "source": "seed", "n": 1}  # the root span's metadata too
    assert seen[0][4] == {"source": "seed", "n": 1}


async def test_3x_trace_attributes_on_one_span_fold_into_the_trace(app_client: httpx.AsyncClient) -> None:
    await post_protobuf(app_client, raw_body("3.15.0", "001-otlp-update-trace-and-spans"))
    trace, obs = await read_trace(app_client, _trace_id("3.15.0"))
    assert trace["tags"] == ["seed", "v3"]
    assert trace["input"] == {"q": "hi"}
    assert trace["output"] == {"a": "hello"}  # the explicit trace output wins over the root span's output
    assert trace["public"] is True
    assert trace["release"] == "rel-1.0"  # 3.x sends the release on the resource only
    assert obs["agent-step"]["type"] == "AGENT"
    assert {o["parentObservationId"] for n, o in obs.items() if n != "chat"} == {obs["chat"]["id"]}


def _trace_id(version: str, name: str = "001-otlp-update-trace-and-spans") -> str:
    trace_id: str = body(version, name)["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]
    return trace_id


async def test_json_body_reads_back_like_the_protobuf_body(app_client: httpx.AsyncClient) -> None:
    result = await post_json(app_client, body("5.0.4", "002-otlp-trace-spans-generation"), path="/v1/traces")
    assert result == {}
    from_json = await read_trace(app_client, V5_TRACE)
    await app_client.delete(f"/api/public/traces/{V5_TRACE}")
    await post_protobuf(app_client, raw_body("5.0.4", "002-otlp-trace-spans-generation"))
    from_protobuf = await read_trace(app_client, V5_TRACE)
    strip = ("createdAt", "updatedAt")
    assert {k: v for k, v in from_json[0].items() if k not in (*strip, "observations")} == {
        k: v for k, v in from_protobuf[0].items() if k not in (*strip, "observations")
    }
    for name, observation in from_json[1].items():
        assert {k: v for k, v in observation.items() if k not in strip} == {
            k: v for k, v in from_protobuf[1][name].items() if k not in strip
        }


async def test_spans_one_by_one_in_reverse_order_give_the_same_trace(app_client: httpx.AsyncClient) -> None:
    """Children arrive before their parent, one request each: every span lands and the trace is the same."""
    payload = body("4.18.0", "001-otlp-propagated-attributes")
    trace_id = _trace_id("4.18.0", "001-otlp-propagated-attributes")
    spans = payload["resourceSpans"][0]["scopeSpans"][0]["spans"]
    for span in reversed(spans):
        single = json.loads(json.dumps(payload))
        single["resourceSpans"][0]["scopeSpans"][0]["spans"] = [span]
        assert await post_json(app_client, single) == {}
    one_by_one = await read_trace(app_client, trace_id)
    await app_client.delete(f"/api/public/traces/{trace_id}")
    await post_protobuf(app_client, raw_body("4.18.0", "001-otlp-propagated-attributes"))
    at_once = await read_trace(app_client, trace_id)
    strip = ("createdAt", "updatedAt", "observations")
    assert {k: v for k, v in one_by_one[0].items() if k not in strip} == {
        k: v for k, v in at_once[0].items() if k not in strip
    }
    assert {n: o["parentObservationId"] for n, o in one_by_one[1].items()} == {
        n: o["parentObservationId"] for n, o in at_once[1].items()
    }


async def test_as_root_span_is_a_root_and_names_the_trace(app_client: httpx.AsyncClient) -> None:
    await post_protobuf(app_client, raw_body("5.0.4", "017-otlp-embedding-and-as-root"), gzipped=True)
    trace, obs = await read_trace(app_client, _trace_id("5.0.4", "017-otlp-embedding-and-as-root"))
    assert trace["name"] == "media-root"
    assert obs["media-root"]["parentObservationId"] is None
    embed = obs["embed"]
    assert embed["type"] == "EMBEDDING"
    assert embed["model"] == "text-embedding-3-small"
    assert embed["completionStartTime"] == "2026-11-27T12:54:22.317230Z"
    assert embed["usageDetails"] == {"input": 3, "total": 3}
    assert embed["input"] == "text"


async def test_prompt_link_and_experiment_attributes(app_client: httpx.AsyncClient) -> None:
    await post_protobuf(app_client, raw_body("5.0.4", "010-otlp-prompt-generation-and-observe"))
    _, obs = await read_trace(app_client, _trace_id("5.0.4", "010-otlp-prompt-generation-and-observe"))
    assert (obs["g"]["promptName"], obs["g"]["promptVersion"]) == ("movie-critic", 2)
    assert obs["g"]["output"] == "8/10"

    await post_protobuf(app_client, raw_body("5.0.4", "015-otlp-dataset-experiment"))
    trace, obs = await read_trace(app_client, _trace_id("5.0.4", "015-otlp-dataset-experiment"))
    assert trace["environment"] == "sdk-experiment"
    assert obs["exact"]["type"] == "EVALUATOR"
    experiment = obs["experiment-item-task"]["metadata"]["experiment"]
    assert experiment["id"] == "368988edcd221c1d"
    assert experiment["dataset.id"] == "ds-ds-1"
    assert experiment["item.metadata"] == {"m": 1}
    assert user_metadata(obs["experiment-item-task"])["experiment_name"] == "exp-1"


async def test_js_sdk_json_bodies(app_client: httpx.AsyncClient) -> None:
    family = "langfuse-js"
    turn = capture("@langfuse/otel@5.11.1", "001-otlp-chat-turn-1", family=family)["request"]["body"]
    assert await post_json(app_client, turn) == {}
    trace_id = turn["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]
    trace, obs = await read_trace(app_client, trace_id)
    assert trace["name"] == "chat-turn"
    assert trace["metadata"] == {"channel": "terminal", "turn": "1"}
    # JS sends strings raw and other values as JSON: strings stay strings, objects are parsed.
    assert user_metadata(obs["retrieve-context"]) == {"k": "3", "source": "faq", "filters": {"lang": "en"},
                                                      "exact": "true"}  # fmt: skip
    assert obs["llm-call"]["promptVersion"] == 2
    assert obs["llm-call"]["completionStartTime"] == "2026-11-27T13:33:48.330000Z"

    crash = capture("@langfuse/otel@4.6.1", "003-otlp-remote-parent-exception-no-type", family=family)
    payload = crash["request"]["body"]
    assert await post_json(app_client, payload) == {}
    spans = payload["resourceSpans"][0]["scopeSpans"][0]["spans"]
    crashing = next(s for s in spans if s["name"] == "crashing-turn")
    observation = (await app_client.get(f"/api/public/observations/{crashing['spanId']}")).json()
    assert observation["type"] == "SPAN"  # 4.x leaves the type out on a bare span
    assert (observation["level"], observation["statusMessage"]) == ("ERROR", "kaboom")
    assert observation["parentObservationId"] == "0123456789abcdef"  # kept: it attaches if that span arrives

    js5 = capture("@langfuse/otel@5.11.1", "003-otlp-remote-parent-exception-and-embedding", family=family)
    payload = js5["request"]["body"]
    assert await post_json(app_client, payload) == {}
    crashing = next(s for s in payload["resourceSpans"][0]["scopeSpans"][0]["spans"] if s["name"] == "crashing-turn")
    trace, _ = await read_trace(app_client, crashing["traceId"])
    assert trace["name"] == "crashing-turn"  # 5.x marks the app root; its parent was never sent


async def test_exception_event_gives_level_error(app_client: httpx.AsyncClient) -> None:
    span = _span("ab" * 16, "cd" * 8, "boom")
    attributes = [_attr("exception.type", "ValueError"), _attr("exception.message", "kaboom")]
    span["events"] = [{"name": "exception", "timeUnixNano": "1795783899905974642", "attributes": attributes}]
    assert await post_json(app_client, _request([span])) == {}
    observation = (await app_client.get(f"/api/public/observations/{'cd' * 8}")).json()
    assert (observation["level"], observation["statusMessage"]) == ("ERROR", "ValueError: kaboom")


def _attr(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    if isinstance(value, float):
        return {"key": key, "value": {"doubleValue": value}}
    if isinstance(value, list):
        return {"key": key, "value": {"arrayValue": {"values": [{"stringValue": v} for v in value]}}}
    return {"key": key, "value": {"stringValue": value}}


def _span(trace_id: str, span_id: str, name: str, parent: str | None = None, **attrs: Any) -> dict[str, Any]:
    span: dict[str, Any] = {"traceId": trace_id, "spanId": span_id, "name": name, "kind": 1,
                            "startTimeUnixNano": "1795783899905974642", "endTimeUnixNano": "1795783899926676954",
                            "attributes": [_attr(k, v) for k, v in attrs.items()], "status": {}}  # fmt: skip
    if parent:
        span["parentSpanId"] = parent
    return span


def _request(spans: list[dict[str, Any]], scope: str = "my-instrumentation") -> dict[str, Any]:
    scope_spans = [{"scope": {"name": scope, "version": "0.1"}, "spans": spans}]
    return {
        "resourceSpans": [{"resource": {"attributes": [_attr("service.name", "my-app")]}, "scopeSpans": scope_spans}]
    }


async def test_genai_and_openinference_spans_become_generations(app_client: httpx.AsyncClient) -> None:
    genai = _span("11" * 16, "22" * 8, "chat gpt-4o", **{
        "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024",
        "gen_ai.request.temperature": 0.5, "gen_ai.usage.input_tokens": 11, "gen_ai.usage.output_tokens": 7,
        "gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "hi", "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.content": "hello", "session.id": "s-1", "user.id": "u-1", "gen_ai.system": "openai",
    })  # fmt: skip
    oi = _span("11" * 16, "33" * 8, "llm", "22" * 8, **{
        "openinference.span.kind": "LLM", "llm.model_name": "llama3", "llm.token_count.prompt": 5,
        "llm.token_count.completion": 3, "llm.token_count.total": 8, "input.value": '{"q": "x"}',
        "input.mime_type": "application/json", "output.value": "y",
        "llm.invocation_parameters": '{"temperature": 0.1}',
    })  # fmt: skip
    tool = _span("11" * 16, "44" * 8, "lookup", "22" * 8, **{"openinference.span.kind": "TOOL"})
    assert await post_json(app_client, _request([genai, oi, tool])) == {}
    trace, obs = await read_trace(app_client, "11" * 16)
    assert trace["name"] == "chat gpt-4o"
    assert (trace["sessionId"], trace["userId"]) == ("s-1", "u-1")
    gen = obs["chat gpt-4o"]
    assert gen["type"] == "GENERATION"
    assert gen["model"] == "gpt-4o"
    assert gen["modelParameters"] == {"temperature": 0.5}
    assert gen["usageDetails"] == {"input": 11, "output": 7, "total": 18}
    assert gen["input"] == [{"role": "user", "content": "hi"}]
    assert gen["output"] == {"role": "assistant", "content": "hello"}
    assert gen["metadata"]["attributes"] == {"gen_ai.system": "openai"}
    assert gen["metadata"]["resourceAttributes"] == {"service.name": "my-app"}
    llm = obs["llm"]
    assert (llm["type"], llm["model"]) == ("GENERATION", "llama3")
    assert llm["usageDetails"] == {"input": 5, "output": 3, "total": 8}
    assert llm["modelParameters"] == {"temperature": 0.1}
    assert (llm["input"], llm["output"]) == ({"q": "x"}, "y")
    assert obs["lookup"]["type"] == "TOOL"


# --- hostile input ---


async def test_wrong_content_type_is_415(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post(OTLP, content=b"hello", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "application/x-protobuf" in response.json()["message"]


async def test_truncated_protobuf_is_400(app_client: httpx.AsyncClient) -> None:
    data = raw_body("5.0.4", "002-otlp-trace-spans-generation")
    response = await app_client.post(OTLP, content=data[: len(data) // 2], headers=PROTOBUF)
    assert response.status_code == 400
    assert "protobuf" in response.json()["message"]


async def test_bad_gzip_is_400(app_client: httpx.AsyncClient) -> None:
    data = gzip.compress(raw_body("5.0.4", "002-otlp-trace-spans-generation"))
    for broken in (b"not gzip at all", data[:-20]):
        response = await app_client.post(OTLP, content=broken, headers={**PROTOBUF, "Content-Encoding": "gzip"})
        assert response.status_code == 400, response.text
        assert "gzip" in response.json()["message"]


async def test_invalid_json_is_400(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post(OTLP, content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    response = await app_client.post(
        OTLP, content=b'{"resourceSpans": 3}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "resourceSpans" in response.json()["message"]


async def test_bad_ids_are_rejected_and_the_good_spans_kept(app_client: httpx.AsyncClient) -> None:
    good = _span("55" * 16, "66" * 8, "good")
    short_trace = _span("55" * 8, "77" * 8, "short-trace-id")
    long_span = _span("55" * 16, "88" * 9, "long-span-id")
    not_hex = _span("zz" * 16, "99" * 8, "not-hex")
    zeros = _span("00" * 16, "aa" * 8, "zero-trace-id")
    result = await post_json(app_client, _request([good, short_trace, long_span, not_hex, zeros]))
    assert result["partialSuccess"]["rejectedSpans"] == 4
    message = result["partialSuccess"]["errorMessage"]
    for name in ("short-trace-id", "long-span-id", "not-hex", "zero-trace-id"):
        assert name in message
    _, obs = await read_trace(app_client, "55" * 16)
    assert set(obs) == {"good"}


async def test_protobuf_partial_success(app_client: httpx.AsyncClient) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    request = ExportTraceServiceRequest()
    request.ParseFromString(raw_body("5.0.4", "017-otlp-embedding-and-as-root"))
    request.resource_spans[0].scope_spans[0].spans[0].span_id = b"\x01\x02\x03"
    result = await post_protobuf(app_client, request.SerializeToString())
    assert result.partial_success.rejected_spans == 1
    assert "spanId must be 8 bytes, got 3" in result.partial_success.error_message
    _, obs = await read_trace(app_client, _trace_id("5.0.4", "017-otlp-embedding-and-as-root"))
    assert set(obs) == {"media-root"}


async def test_absurd_attributes_reject_only_their_span(app_client: httpx.AsyncClient) -> None:
    huge_value = _span("bb" * 16, "cc" * 8, "huge-input", **{"langfuse.observation.input": "x" * (VALUE_LIMIT + 10)})
    huge_key = _span("bb" * 16, "dd" * 8, "huge-key", **{"k" * 5000: "v"})
    bad_usage = _span("bb" * 16, "ee" * 8, "bad-usage", **{"langfuse.observation.usage_details": "[1, 2]"})
    bad_level = _span("bb" * 16, "ef" * 8, "bad-level", **{"langfuse.observation.level": "LOUD"})
    fine = _span("bb" * 16, "ff" * 8, "fine")
    response = await app_client.post(
        OTLP, content=json.dumps(_request([huge_value, huge_key, bad_usage, bad_level, fine])),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["partialSuccess"]["rejectedSpans"] == 4, result
    message = result["partialSuccess"]["errorMessage"]
    assert "limit" in message and "usage_details" in message and "level" in message
    _, obs = await read_trace(app_client, "bb" * 16)
    assert set(obs) == {"fine"}


async def test_missing_auth_is_401(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post(OTLP, content=b"", headers=PROTOBUF, auth=None)
    assert response.status_code == 401


async def test_deflate_and_gzip_json_bodies(app_client: httpx.AsyncClient) -> None:
    data = raw_body("5.0.4", "010-otlp-prompt-generation-and-observe")
    response = await app_client.post(
        OTLP, content=zlib.compress(data), headers={**PROTOBUF, "Content-Encoding": "deflate"}
    )
    assert response.status_code == 200, response.text
    _, obs = await read_trace(app_client, _trace_id("5.0.4", "010-otlp-prompt-generation-and-observe"))
    assert obs["g"]["promptName"] == "movie-critic"

    js = capture("@langfuse/otel@5.11.1", "005-otlp-gzip-opt-in", family="langfuse-js")["request"]["body"]
    response = await app_client.post(
        OTLP, content=gzip.compress(json.dumps(js).encode()),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )  # fmt: skip
    assert (response.status_code, response.json()) == (200, {})
    trace, _ = await read_trace(app_client, js["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"])
    assert trace["name"] == "probe-200"


async def test_only_invalid_spans_is_400(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post(
        OTLP, content=json.dumps(_request([_span("55" * 8, "77" * 8, "short-trace-id")])),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "short-trace-id" in response.json()["message"]


async def test_base64_ids_from_plain_protobuf_json_encoders(app_client: httpx.AsyncClient) -> None:
    trace_id = base64.b64encode(bytes.fromhex("12" * 16)).decode()
    span_id = base64.b64encode(bytes.fromhex("34" * 8)).decode()
    assert await post_json(app_client, _request([_span(trace_id, span_id, "b64")])) == {}
    _, obs = await read_trace(app_client, "12" * 16)
    assert obs["b64"]["id"] == "34" * 8


class _HeldStore:
    """Test double: the real store, whose writes wait until the test releases them. A full ingestion queue is
    otherwise only reachable by racing a flood of requests against the writer, which no test can do reliably."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.release = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def write(self, events: Any) -> Any:
        await self.release.wait()
        return await self.inner.write(events)


async def test_full_queue_answers_503_with_retry_after(store: Store, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "busy", init_public_key=PUBLIC_KEY, init_secret_key=SECRET_KEY,
                        max_queued_events=2)  # fmt: skip
    await bootstrap(store, settings)
    held = _HeldStore(store)
    app = create_app(settings, held)  # type: ignore[arg-type]
    with anyio.fail_after(30):  # the double holds writes: fail rather than hang if the 503 never comes
        await _busy_scenario(app, held)


async def _busy_scenario(app: Any, held: _HeldStore) -> None:
    first = _request([_span("61" * 16, "62" * 8, "first"), _span("61" * 16, "63" * 8, "second")])
    second = _request([_span("64" * 16, "65" * 8, "third")])
    headers = {"Content-Type": "application/json"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", auth=(PUBLIC_KEY, SECRET_KEY)) as client:
            pending = asyncio.create_task(client.post(OTLP, content=json.dumps(first), headers=headers))
            pipeline = app.state.ctx.pipeline
            for _ in range(1000):  # until the first request's events wait in the queue
                if pipeline.queued_events:
                    break
                await asyncio.sleep(0.001)
            busy = await client.post(OTLP, content=json.dumps(second), headers=headers)
            assert busy.status_code == 503
            assert busy.headers["Retry-After"] == "1"
            assert "queue is full" in busy.json()["message"]
            held.release.set()
            assert (await pending).status_code == 200
            assert (await client.get(f"/api/public/traces/{'61' * 16}")).json()["observationCount"] == 2
            assert (await client.get(f"/api/public/traces/{'64' * 16}")).status_code == 404


def _captured_otlp() -> list[tuple[str, str, str]]:
    out = []
    for family in ("langfuse-sdk", "langfuse-js"):
        for path in sorted((PAYLOADS / family).rglob("*otlp*.json")):
            out.append((family, str(path.parent.relative_to(PAYLOADS / family)), path.stem))
    return out


@pytest.mark.parametrize(("family", "version", "name"), _captured_otlp())
async def test_every_captured_otlp_request_lands_whole(
    app_client: httpx.AsyncClient, family: str, version: str, name: str
) -> None:
    """Each captured request (Python protobuf, JS OTLP/JSON) is taken span for span, and reads back as its traces."""
    record = capture(version, name, family=family)
    payload = record["request"]["body"]
    if record["request"].get("protobuf_file"):
        response = await app_client.post(OTLP, content=raw_body(version, name, family=family), headers=PROTOBUF)
        assert response.status_code == 200, response.text
        parsed = ExportTraceServiceResponse()
        parsed.ParseFromString(response.content)
        assert parsed.partial_success.rejected_spans == 0, parsed.partial_success.error_message
    else:
        assert await post_json(app_client, payload) == {}
    spans = [s for rs in payload["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]]
    for trace_id in {s["traceId"] for s in spans}:
        trace, _ = await read_trace(app_client, trace_id)
        mine = [s for s in spans if s["traceId"] == trace_id]
        assert sorted(o["id"] for o in trace["observations"]) == sorted(s["spanId"] for s in mine)
        assert trace["name"], trace_id


async def test_cached_input_tokens_are_split_out_not_added(app_client: httpx.AsyncClient) -> None:
    """GenAI and OpenInference count cache reads and writes inside the input tokens: never count them twice."""
    genai = _span("55" * 16, "66" * 8, "chat claude", **{
        "gen_ai.operation.name": "chat", "gen_ai.request.model": "claude-sonnet-4", "gen_ai.usage.input_tokens": 100,
        "gen_ai.usage.cache_read.input_tokens": 60, "gen_ai.usage.cache_creation.input_tokens": 25,
        "gen_ai.usage.output_tokens": 10,
    })  # fmt: skip
    oi = _span("55" * 16, "77" * 8, "llm", "66" * 8, **{
        "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o", "llm.token_count.prompt": 50,
        "llm.token_count.prompt_details.cache_read": 20, "llm.token_count.completion": 5,
    })  # fmt: skip
    assert await post_json(app_client, _request([genai, oi])) == {}
    _, obs = await read_trace(app_client, "55" * 16)
    assert obs["chat claude"]["usageDetails"] == {
        "input": 15, "input_cached_tokens": 60, "input_cache_creation_tokens": 25, "output": 10, "total": 110,
    }  # fmt: skip
    assert obs["chat claude"]["usage"]["input"] == 100
    assert obs["llm"]["usageDetails"] == {"input": 30, "input_cached_tokens": 20, "output": 5, "total": 55}
