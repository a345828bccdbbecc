"""Hostile OTLP bodies never get past the decoder as anything but a clear error (no 500s): property tests."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from spyglass.ingest.langfuse import Limits
from spyglass.ingest.otlp import decode_request
from spyglass.ingest.otlp_decode import OtlpDecodeError
from tests.support.payloads import body, raw_body

LIMITS = Limits(max_value_bytes=10_000)
ANYTHING = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=12,
)
TEMPLATE: dict[str, Any] = body("5.0.4", "002-otlp-trace-spans-generation")


def _attr(key: str, value: Any) -> dict[str, Any]:
    kind = {bool: "boolValue", int: "intValue", float: "doubleValue", str: "stringValue"}[type(value)]
    return {"key": key, "value": {kind: value}}


GENAI_ATTRIBUTES = {
    "gen_ai.operation.name": "chat", "gen_ai.request.model": "m", "gen_ai.request.temperature": 0.1,
    "gen_ai.usage.input_tokens": 3, "gen_ai.usage.output_tokens": 4, "gen_ai.usage.cost": 0.5,
    "gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "hi", "gen_ai.completion.0.content": "yo",
    "gen_ai.input.messages": "[]", "gen_ai.system_instructions": "be nice", "openinference.span.kind": "LLM",
    "llm.token_count.prompt": 1, "llm.invocation_parameters": "{}", "llm.input_messages.0.message.role": "user",
    "input.value": "{}", "output.value": "x", "session.id": "s", "user.id": "u", "tag.tags": "t",
    "langfuse.observation.metadata.k": "1", "langfuse.trace.metadata": "{}", "langfuse.experiment.item.metadata": "{",
}  # fmt: skip
GENAI: dict[str, Any] = {"resourceSpans": [{"resource": {"attributes": [_attr("service.name", "x")]}, "scopeSpans": [{
    "scope": {"name": "genai", "version": "1"},
    "spans": [{"traceId": "ab" * 16, "spanId": "cd" * 8, "name": "chat", "kind": 3, "startTimeUnixNano": "1",
               "endTimeUnixNano": "2", "attributes": [_attr(k, v) for k, v in GENAI_ATTRIBUTES.items()],
               "events": [{"name": "gen_ai.choice", "attributes": [_attr("message", "{}")]},
                          {"name": "exception", "attributes": [_attr("exception.type", "E")]}],
               "status": {"code": 2, "message": "m"}}],
}]}]}  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


PATHS = [(TEMPLATE, p) for p in _paths(TEMPLATE)[1:]] + [(GENAI, p) for p in _paths(GENAI)[1:]]


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    copy = json.loads(json.dumps(value))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


def _decode(data: bytes, as_json: bool) -> None:
    try:
        result = decode_request(data, as_json, "p", LIMITS)
    except OtlpDecodeError:
        return
    assert result.accepted + result.rejected >= 0


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATHS), ANYTHING)
def test_json_body_with_any_value_anywhere(where: tuple[Any, tuple[Any, ...]], new: Any) -> None:
    template, path = where
    _decode(json.dumps(_replace(template, path, new)).encode(), as_json=True)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.integers(min_value=0, max_value=4000))
def test_protobuf_body_with_bytes_spliced_in(noise: bytes, at: int) -> None:
    data = raw_body("5.0.4", "002-otlp-trace-spans-generation")
    _decode(data[:at] + noise + data[at + len(noise) :], as_json=False)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    _decode(data, as_json=False)
    _decode(data, as_json=True)
