"""OTLP request bodies shaped like the langfuse 5.x Python SDK's, for the ingestion benchmark (not a test).

Each trace is what `propagate_attributes` + `start_as_current_observation` produce in 5.x: a root span, a generation
(model, parameters, usage and cost details), a retrieval span and a tool span, every span carrying the propagated
trace attributes and JSON-encoded metadata values, one resource and the `langfuse-sdk` scope per request.

    from bench.otlp_payloads import otlp_body
    body, spans, headers = otlp_body(traces=100, gzip_body=True)
"""

from __future__ import annotations

import gzip
import json
import os
import time
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span

SPANS_PER_TRACE = 4
_TEXT = "lorem ipsum dolor sit amet " * 28


def _kv(key: str, value: Any) -> KeyValue:
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    if isinstance(value, list):
        values = [AnyValue(string_value=v) for v in value]
        return KeyValue(key=key, value=AnyValue(array_value={"values": values}))
    return KeyValue(key=key, value=AnyValue(string_value=value))


def _span(trace_id: bytes, parent: bytes | None, name: str, start: int, attrs: dict[str, Any]) -> Span:
    span = Span(trace_id=trace_id, span_id=os.urandom(8), name=name, kind=Span.SPAN_KIND_INTERNAL,
                start_time_unix_nano=start, end_time_unix_nano=start + 20_000_000, flags=256)  # fmt: skip
    if parent is not None:
        span.parent_span_id = parent
    span.attributes.extend(_kv(k, v) for k, v in attrs.items())
    return span


def _trace_spans(start: int) -> list[Span]:
    trace_id = os.urandom(16)
    propagated = {
        "user.id": "user-1", "session.id": "sess-1", "langfuse.trace.metadata.tenant": '"acme"',
        "langfuse.version": "app-1", "langfuse.trace.tags": ["bench", "v5"], "langfuse.trace.name": "chat-trace",
        "langfuse.environment": "dev", "langfuse.release": "rel-1.0",
    }  # fmt: skip
    root = _span(trace_id, None, "chat", start, {
        "langfuse.internal.is_app_root": True, **propagated, "langfuse.observation.type": "span",
        "langfuse.observation.input": json.dumps({"q": _TEXT}), "langfuse.observation.output": '{"answer": "hi"}',
        "langfuse.observation.metadata.source": '"bench"', "langfuse.observation.metadata.n": "1",
    })  # fmt: skip
    generation = _span(trace_id, root.span_id, "llm-call", start + 1000, {
        **propagated, "langfuse.observation.type": "generation", "langfuse.observation.model.name": "gpt-4o-mini",
        "langfuse.observation.model.parameters": '{"temperature": 0.2, "max_tokens": 100}',
        "langfuse.observation.input": json.dumps([{"role": "user", "content": _TEXT}]),
        "langfuse.observation.output": json.dumps({"role": "assistant", "content": _TEXT}),
        "langfuse.observation.usage_details": '{"input": 200, "output": 150, "total": 350}',
        "langfuse.observation.cost_details": '{"input": 0.0001, "output": 0.0002, "total": 0.0003}',
    })  # fmt: skip
    retrieval = _span(trace_id, root.span_id, "retrieval", start + 2000, {
        **propagated, "langfuse.observation.type": "span", "langfuse.observation.input": json.dumps({"query": _TEXT}),
        "langfuse.observation.output": json.dumps({"docs": [_TEXT[:200]] * 3}),
    })  # fmt: skip
    tool = _span(trace_id, retrieval.span_id, "search-tool", start + 3000, {
        **propagated, "langfuse.observation.type": "tool", "langfuse.observation.input": '{"k": 3}',
    })  # fmt: skip
    return [generation, tool, retrieval, root]  # children end first, as the BatchSpanProcessor exports them


def otlp_body(traces: int, *, gzip_body: bool = True) -> tuple[bytes, int, dict[str, str]]:
    """(body, span count, headers) of one ExportTraceServiceRequest with `traces` traces (4 spans each).

    With `gzip_body` the body is gzip'd and the headers say so, as the 5.x SDK sends by default.
    """
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.extend([
        _kv("telemetry.sdk.language", "python"), _kv("telemetry.sdk.name", "opentelemetry"),
        _kv("telemetry.sdk.version", "1.45.2"), _kv("service.name", "unknown_service:python"),
        _kv("langfuse.environment", "dev"), _kv("langfuse.release", "rel-1.0"),
    ])  # fmt: skip
    scope_spans = resource_spans.scope_spans.add()
    scope_spans.scope.name = "langfuse-sdk"
    scope_spans.scope.version = "5.0.4"
    scope_spans.scope.attributes.append(_kv("public_key", "pk-lf-bench"))
    start = time.time_ns()
    for index in range(traces):
        scope_spans.spans.extend(_trace_spans(start + index * 100_000))
    body = request.SerializeToString()
    headers = {"Content-Type": "application/x-protobuf", "x-langfuse-sdk-name": "python",
               "x-langfuse-sdk-version": "5.0.4", "x-langfuse-ingestion-version": "4"}  # fmt: skip
    if gzip_body:
        body = gzip.compress(body, compresslevel=6)
        headers["Content-Encoding"] = "gzip"
    return body, traces * SPANS_PER_TRACE, headers
