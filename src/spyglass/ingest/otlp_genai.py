"""Spans from non-Langfuse instrumentations: OTel GenAI semantic conventions and OpenInference -> observation fields.

Only used for what the `langfuse.observation.*` attributes leave unset, so a Langfuse SDK span is never
reinterpreted. Sources:
  GenAI:       https://opentelemetry.io/docs/specs/semconv/gen-ai/ (gen_ai.*; older gen_ai.prompt.N.* and events)
  OpenInference: https://github.com/Arize-ai/openinference/blob/main/spec/semantic_conventions.md
Also the keys the Langfuse SDK's own media scanner knows (Vercel AI SDK `ai.*`, Traceloop, MLflow).
No I/O; values come back as plain Python values for otlp.py to check and encode.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from spyglass.ingest.otlp_decode import SpanEvent

OPENINFERENCE_TYPES = {
    "LLM": "GENERATION", "EMBEDDING": "EMBEDDING", "TOOL": "TOOL", "AGENT": "AGENT", "CHAIN": "CHAIN",
    "RETRIEVER": "RETRIEVER", "RERANKER": "RETRIEVER", "EVALUATOR": "EVALUATOR", "GUARDRAIL": "GUARDRAIL",
}  # fmt: skip
GENAI_OPERATION_TYPES = {
    "chat": "GENERATION", "text_completion": "GENERATION", "generate_content": "GENERATION",
    "completion": "GENERATION", "embeddings": "EMBEDDING", "embedding": "EMBEDDING", "execute_tool": "TOOL",
    "invoke_agent": "AGENT", "create_agent": "AGENT",
}  # fmt: skip
# Attribute keys (and prefixes) this module turns into fields; anything else is kept in metadata.attributes.
CONSUMED_KEYS = frozenset({
    "openinference.span.kind", "gen_ai.operation.name", "gen_ai.request.model", "gen_ai.response.model",
    "llm.model_name", "llm.invocation_parameters", "input.value", "input.mime_type", "output.value",
    "output.mime_type", "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.prompt", "gen_ai.completion",
    "gen_ai.system_instructions", "session.id", "user.id", "gen_ai.conversation.id", "tag.tags",
    "ai.prompt", "ai.prompt.messages", "ai.response.text", "ai.response.object", "ai.model.id",
    "traceloop.entity.input", "traceloop.entity.output", "mlflow.spanInputs", "mlflow.spanOutputs",
    "gen_ai.usage.cost", "model",
})  # fmt: skip
CONSUMED_PREFIXES = (
    "langfuse.", "gen_ai.prompt.", "gen_ai.completion.", "gen_ai.usage.", "gen_ai.request.",
    "llm.token_count.", "llm.input_messages.", "llm.output_messages.",
)  # fmt: skip
_INDEXED = re.compile(r"^(\d+)\.(.+)$")
_INDEXED_PREFIXES = ("gen_ai.prompt.", "gen_ai.completion.", "llm.input_messages.", "llm.output_messages.")
_GENAI_PARAMS = ("temperature", "max_tokens", "top_p", "top_k", "frequency_penalty", "presence_penalty",
                 "stop_sequences", "seed", "choice.count", "encoding_formats")  # fmt: skip
_USAGE_KEYS = {
    "input_tokens": "input", "prompt_tokens": "input", "output_tokens": "output", "completion_tokens": "output",
    "total_tokens": "total",
}  # fmt: skip
_OI_USAGE = {"prompt": "input", "completion": "output", "total": "total"}
# Cache reads and writes as the GenAI conventions (and OpenInference) report them: already counted inside the input
# tokens, so they are split out of `input` rather than added to it (the OpenAI rule of domain/usage.py).
_CACHED_INPUT = {
    "cache_read.input_tokens": "input_cached_tokens", "cache_read_input_tokens": "input_cached_tokens",
    "prompt_details_cache_read": "input_cached_tokens",
    "cache_creation.input_tokens": "input_cache_creation_tokens",
    "cache_creation_input_tokens": "input_cache_creation_tokens",
    "prompt_details_cache_write": "input_cache_creation_tokens",
}  # fmt: skip
_INPUT_EVENTS = {
    "gen_ai.system.message": "system", "gen_ai.user.message": "user", "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}  # fmt: skip


@dataclass(slots=True)
class GenAiFields:
    type: str | None = None
    model: str | None = None
    model_parameters: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    cost_total: float | None = None
    input: Any = None
    output: Any = None
    session_id: str | None = None
    user_id: str | None = None
    tags: list[str] | None = None


def loads_lenient(value: Any) -> Any:
    """A string holding JSON as its value, anything else (or text that is not JSON) as it is."""
    if isinstance(value, str) and value:
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def _indexed(attrs: Mapping[str, Any], prefix: str) -> list[dict[str, Any]]:
    """`prefix.0.role`, `prefix.0.content`, `prefix.1...` -> [{"role", "content"}, ...] in index order."""
    items: dict[int, dict[str, Any]] = {}
    for key, value in attrs.items():
        if not key.startswith(prefix):
            continue
        match = _INDEXED.match(key[len(prefix) :])
        if match is None:
            continue
        name = match.group(2)
        if name.startswith("message."):  # OpenInference: llm.input_messages.0.message.role
            name = name[len("message.") :]
        items.setdefault(int(match.group(1)), {})[name] = value
    return [items[i] for i in sorted(items)]


def _event_messages(events: list[SpanEvent]) -> tuple[list[Any], list[Any]]:
    inputs: list[Any] = []
    outputs: list[Any] = []
    for event in events:
        attrs = event.attributes
        if event.name in _INPUT_EVENTS:
            message = {"role": attrs.get("role") or _INPUT_EVENTS[event.name]}
            if "content" in attrs:
                message["content"] = loads_lenient(attrs["content"])
            inputs.append(message)
        elif event.name == "gen_ai.choice":
            raw = attrs.get("message", attrs.get("content"))
            outputs.append(loads_lenient(raw) if raw is not None else dict(attrs))
        elif event.name == "gen_ai.content.prompt" and "gen_ai.prompt" in attrs:
            inputs.append(loads_lenient(attrs["gen_ai.prompt"]))
        elif event.name == "gen_ai.content.completion" and "gen_ai.completion" in attrs:
            outputs.append(loads_lenient(attrs["gen_ai.completion"]))
    return inputs, outputs


def _one(values: list[Any]) -> Any:
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _first(attrs: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        value = attrs.get(key)
        if value is not None and value != "":
            return value
    return None


_PLAIN_KEYS = frozenset({"user.id", "session.id"})


def genai_fields(attrs: Mapping[str, Any], events: list[SpanEvent]) -> GenAiFields:
    """What GenAI / OpenInference / other LLM instrumentations say about this span."""
    out = GenAiFields()
    if not events and all(key.startswith("langfuse.") or key in _PLAIN_KEYS for key in attrs):
        # A Langfuse SDK span: nothing here for this module (the common case, kept cheap).
        user, session = attrs.get("user.id"), attrs.get("session.id")
        out.user_id = str(user) if user is not None else None
        out.session_id = str(session) if session is not None else None
        return out
    kind = attrs.get("openinference.span.kind")
    if isinstance(kind, str) and kind.upper() in OPENINFERENCE_TYPES:
        out.type = OPENINFERENCE_TYPES[kind.upper()]
    operation = attrs.get("gen_ai.operation.name")
    if out.type is None and isinstance(operation, str):
        out.type = GENAI_OPERATION_TYPES.get(operation.lower())
    model = _first(attrs, "gen_ai.request.model", "gen_ai.response.model", "llm.model_name", "ai.model.id")
    if model is not None:
        out.model = str(model)
    for name in _GENAI_PARAMS:
        value = attrs.get(f"gen_ai.request.{name}")
        if value is not None:
            out.model_parameters[name] = value
    invocation = loads_lenient(attrs.get("llm.invocation_parameters"))
    if isinstance(invocation, Mapping):
        out.model_parameters.update({k: v for k, v in invocation.items() if k not in ("model", "messages")})
    for key, value in attrs.items():
        if key.startswith("gen_ai.usage.") and key != "gen_ai.usage.cost":
            name = key[len("gen_ai.usage.") :]
            out.usage[_USAGE_KEYS.get(name, name)] = value
        elif key.startswith("llm.token_count."):
            name = key[len("llm.token_count.") :]
            out.usage[_OI_USAGE.get(name, name.replace(".", "_"))] = value
    _split_cached_input(out.usage)
    cost = attrs.get("gen_ai.usage.cost")
    if isinstance(cost, (int, float)) and not isinstance(cost, bool):
        out.cost_total = float(cost)
    out.input, out.output = _io(attrs, events)
    if out.type is None and (out.model is not None or out.usage):
        out.type = "GENERATION"
    session = _first(attrs, "session.id", "gen_ai.conversation.id")
    out.session_id = str(session) if session is not None else None
    user = attrs.get("user.id")
    out.user_id = str(user) if user is not None else None
    tags = attrs.get("tag.tags")
    if isinstance(tags, list):
        out.tags = [str(t) for t in tags]
    return out


def _split_cached_input(usage: dict[str, Any]) -> None:
    """Move cache read/write counts out of `input` into their own keys (never counted twice)."""
    for key, name in _CACHED_INPUT.items():
        count = usage.pop(key, None)
        if not isinstance(count, int) or isinstance(count, bool) or count <= 0:
            continue
        usage[name] = usage.get(name, 0) + count
        current = usage.get("input")
        if isinstance(current, int) and not isinstance(current, bool):
            usage["input"] = max(current - count, 0)


def _io(attrs: Mapping[str, Any], events: list[SpanEvent]) -> tuple[Any, Any]:
    inp = _first(attrs, "gen_ai.input.messages", "input.value", "traceloop.entity.input", "mlflow.spanInputs",
                 "ai.prompt.messages", "ai.prompt", "gen_ai.prompt")  # fmt: skip
    out = _first(attrs, "gen_ai.output.messages", "output.value", "traceloop.entity.output", "mlflow.spanOutputs",
                 "ai.response.text", "ai.response.object", "gen_ai.completion")  # fmt: skip
    inp = loads_lenient(inp)
    out = loads_lenient(out)
    indexed = any(key.startswith(_INDEXED_PREFIXES) for key in attrs)
    if inp is None and indexed:
        inp = _one(_indexed(attrs, "gen_ai.prompt.")) or _one(_indexed(attrs, "llm.input_messages.")) or None
        if isinstance(inp, dict):
            inp = [inp]
    if out is None and indexed:
        out = _one(_indexed(attrs, "gen_ai.completion.")) or _one(_indexed(attrs, "llm.output_messages.")) or None
    if inp is None or out is None:
        event_in, event_out = _event_messages(events)
        if inp is None and event_in:
            inp = event_in
        if out is None and event_out:
            out = _one(event_out)
    system = loads_lenient(attrs.get("gen_ai.system_instructions"))
    if system is not None and isinstance(inp, list):
        inp = [{"role": "system", "content": system}, *inp]
    return inp, out
