"""The official OTel-based SDKs (langfuse 3.15.0, 4.18.0, 5.0.4) and a plain opentelemetry-sdk exporter against a live
`spyglass serve`, read back through the public API field by field."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tests.support.sdk import run_script
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

VERSIONS = ("3.15.0", "4.18.0", "5.0.4")

SCENARIO = r"""
import json
import os
from langfuse import Langfuse, observe, propagate_attributes

lf = Langfuse()
assert lf.auth_check() is True
prompt = lf.create_prompt(name=os.environ["PROMPT_NAME"], prompt="Rate {{movie}}.", labels=["production"])

@observe(as_type="generation")
def fake_llm(text):
    lf.update_current_generation(model="llama3.1:8b", usage_details={"input": 2, "output": 3})
    return "out:" + text

@observe()
def decorated(text):
    return fake_llm(text)

with lf.start_as_current_observation(as_type="span", name="chat", input={"q": "hi"},
                                     metadata={"source": "seed", "n": 1}) as root:
    trace_id = root.trace_id
    with propagate_attributes(user_id="user-1", session_id="sess-1", tags=["seed", "otel"],
                              metadata={"tenant": "acme"}, trace_name="chat-trace", version="app-1"):
        with lf.start_as_current_observation(as_type="generation", name="llm-call", model="gpt-4o-mini",
                                             input=[{"role": "user", "content": "hi"}],
                                             model_parameters={"temperature": 0.2, "max_tokens": 100},
                                             prompt=prompt) as gen:
            gen.update(output={"role": "assistant", "content": "hello"},
                       usage_details={"input": 10, "output": 5, "total": 15},
                       cost_details={"input": 0.0001, "output": 0.0002, "total": 0.0003})
            gen.score(name="relevance", value=0.8)
        with lf.start_as_current_observation(as_type="agent", name="agent-step") as agent:
            with lf.start_as_current_observation(as_type="tool", name="search-tool", input={"k": 3}) as tool:
                tool.update(output={"docs": 3})
            with lf.start_as_current_observation(as_type="embedding", name="embed", model="text-embedding-3-small",
                                                 input="text") as emb:
                emb.update(usage_details={"input": 3})
        lf.create_event(name="user-feedback-clicked", input={"x": 1}, metadata={"btn": "thumbs"})
        try:
            with lf.start_as_current_observation(as_type="span", name="failing"):
                raise ValueError("kaboom")
        except ValueError:
            pass
        decorated("p")
        root.update(output={"answer": "hello"})
        root.score_trace(name="quality", value=0.9, comment="good answer")
lf.create_score(name="thumbs", value=1, trace_id=trace_id, data_type="BOOLEAN")
lf.flush()
print(json.dumps({"trace_id": trace_id, "generation_id": gen.id, "root_id": root.id}))
"""


@pytest.fixture(scope="module", params=VERSIONS)
def recorded(request: pytest.FixtureRequest, module_server: ServerProcess) -> tuple[str, dict[str, Any]]:
    version: str = request.param
    result: dict[str, Any] = run_script(
        version, SCENARIO, {**module_server.sdk_env(), "PROMPT_NAME": f"critic-{version}"}
    )
    return version, result


def _trace(server: ServerProcess, trace_id: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    with server.client() as client:
        response = client.get(f"/api/public/traces/{trace_id}")
    assert response.status_code == 200, response.text
    trace = response.json()
    return trace, {o["name"]: o for o in trace["observations"]}


def _user_metadata(observation: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in (observation["metadata"] or {}).items() if k not in ("resourceAttributes", "scope")}


def test_trace_fields(recorded: tuple[str, dict[str, Any]], module_server: ServerProcess) -> None:
    version, ids = recorded
    trace, obs = _trace(module_server, ids["trace_id"])
    assert trace["name"] == "chat-trace"
    assert trace["userId"] == "user-1"
    assert trace["sessionId"] == "sess-1"
    assert trace["tags"] == ["otel", "seed"]
    assert trace["metadata"] == {"tenant": "acme", "source": "seed", "n": 1}  # the root span's own metadata too
    assert trace["version"] == "app-1"
    assert trace["input"] == {"q": "hi"}
    assert trace["output"] == {"answer": "hello"}
    assert trace["level"] == "ERROR"
    # the generation's client cost plus the embedding priced from the built-in table: 3 x $0.02 per 1M tokens
    assert trace["totalCost"] == pytest.approx(0.0003 + 0.00000006)
    assert trace["observationCount"] == len(obs) == 9
    assert trace["htmlPath"].endswith(ids["trace_id"])
    assert {s["name"]: s["value"] for s in trace["scores"]} == {"relevance": 0.8, "quality": 0.9, "thumbs": 1.0}
    assert next(s for s in trace["scores"] if s["name"] == "relevance")["observationId"] == ids["generation_id"]
    assert _user_metadata(obs["chat"]) == {"source": "seed", "n": 1}, version
    assert obs["chat"]["metadata"]["scope"]["version"] == version


def test_observation_tree_and_types(recorded: tuple[str, dict[str, Any]], module_server: ServerProcess) -> None:
    _, ids = recorded
    _, obs = _trace(module_server, ids["trace_id"])
    by_id = {o["id"]: name for name, o in obs.items()}
    parents = {name: by_id.get(o["parentObservationId"]) for name, o in obs.items()}
    assert parents == {
        "chat": None, "llm-call": "chat", "agent-step": "chat", "search-tool": "agent-step", "embed": "agent-step",
        "user-feedback-clicked": "chat", "failing": "chat", "decorated": "chat", "fake_llm": "decorated",
    }  # fmt: skip
    types = {name: o["type"] for name, o in obs.items()}
    assert types == {
        "chat": "SPAN", "llm-call": "GENERATION", "agent-step": "AGENT", "search-tool": "TOOL", "embed": "EMBEDDING",
        "user-feedback-clicked": "EVENT", "failing": "SPAN", "decorated": "SPAN", "fake_llm": "GENERATION",
    }  # fmt: skip
    assert obs["chat"]["id"] == ids["root_id"]


def test_generation_fields(recorded: tuple[str, dict[str, Any]], module_server: ServerProcess) -> None:
    version, ids = recorded
    _, obs = _trace(module_server, ids["trace_id"])
    gen = obs["llm-call"]
    assert gen["id"] == ids["generation_id"]
    assert gen["model"] == "gpt-4o-mini"
    assert gen["modelParameters"] == {"temperature": 0.2, "max_tokens": 100}
    assert gen["usageDetails"] == {"input": 10, "output": 5, "total": 15}
    assert gen["costDetails"] == {"input": 0.0001, "output": 0.0002, "total": 0.0003}
    assert gen["input"] == [{"role": "user", "content": "hi"}]
    assert gen["output"] == {"role": "assistant", "content": "hello"}
    assert (gen["promptName"], gen["promptVersion"]) == (f"critic-{version}", 1)
    assert gen["version"] == "app-1"
    assert gen["endTime"] >= gen["startTime"]
    assert obs["embed"]["usageDetails"] == {"input": 3, "total": 3}
    assert obs["fake_llm"]["usageDetails"] == {"input": 2, "output": 3, "total": 5}
    assert obs["fake_llm"]["output"] == "out:p"
    assert obs["search-tool"]["output"] == {"docs": 3}
    assert _user_metadata(obs["user-feedback-clicked"]) == {"btn": "thumbs"}


def test_exception_in_a_span_is_an_error(recorded: tuple[str, dict[str, Any]], module_server: ServerProcess) -> None:
    _, ids = recorded
    _, obs = _trace(module_server, ids["trace_id"])
    failing = obs["failing"]
    assert failing["level"] == "ERROR"
    assert "kaboom" in failing["statusMessage"]


# --- the same conversation through the 2.x batch door and the 5.x OTLP door ---

CONVERSATION_V2 = r"""
import json
from langfuse import Langfuse
lf = Langfuse()
trace = lf.trace(name="turn", user_id="u-same", session_id="s-same", tags=["same"], input={"q": "hi"})
root = trace.span(name="turn", input={"q": "hi"})
retrieve = root.span(name="retrieve", input={"query": "hi"})
retrieve.end(output={"docs": 2})
gen = root.generation(name="answer", model="gpt-4o-mini", input=[{"role": "user", "content": "hi"}],
                      model_parameters={"temperature": 0.2})
gen.end(output="hello", usage_details={"input": 7, "output": 2, "total": 9})
root.end(output={"a": "hello"})
trace.update(output={"a": "hello"})
trace.score(name="feedback", value=4, comment="ok")
lf.flush()
print(json.dumps({"trace_id": trace.id}))
"""

CONVERSATION_V5 = r"""
import json
from langfuse import Langfuse, propagate_attributes
lf = Langfuse()
with lf.start_as_current_observation(as_type="span", name="turn", input={"q": "hi"}) as root:
    with propagate_attributes(user_id="u-same", session_id="s-same", tags=["same"]):
        with lf.start_as_current_observation(as_type="span", name="retrieve", input={"query": "hi"}) as retrieve:
            retrieve.update(output={"docs": 2})
        with lf.start_as_current_observation(as_type="generation", name="answer", model="gpt-4o-mini",
                                             input=[{"role": "user", "content": "hi"}],
                                             model_parameters={"temperature": 0.2}) as gen:
            gen.update(output="hello", usage_details={"input": 7, "output": 2, "total": 9})
        root.update(output={"a": "hello"})
        root.score_trace(name="feedback", value=4, comment="ok")
lf.flush()
print(json.dumps({"trace_id": root.trace_id}))
"""


def _shape(server: ServerProcess, trace_id: str) -> dict[str, Any]:
    trace, obs = _trace(server, trace_id)
    by_id = {o["id"]: name for name, o in obs.items()}
    return {
        "trace": {k: trace[k] for k in ("name", "userId", "sessionId", "tags", "input", "output", "totalTokens")},
        "observations": sorted(
            (
                name,
                o["type"],
                by_id.get(o["parentObservationId"]),
                o["model"],
                # as sent, like Langfuse: the 2.x SDK sends 0.2 as the string "0.2", 5.x as a number
                {k: float(v) if isinstance(v, str) else v for k, v in (o["modelParameters"] or {}).items()} or None,
                o["usageDetails"],
                o["input"],
                o["output"],
            )
            for name, o in obs.items()
        ),
        "scores": sorted((s["name"], s["value"], s["comment"], s["dataType"]) for s in trace["scores"]),
    }


def test_same_conversation_via_2x_and_5x_reads_back_the_same(module_server: ServerProcess) -> None:
    v2 = run_script("2.60.10", CONVERSATION_V2, module_server.sdk_env())
    v5 = run_script("5.0.4", CONVERSATION_V5, module_server.sdk_env())
    assert _shape(module_server, v2["trace_id"]) == _shape(module_server, v5["trace_id"])


# --- a plain OpenTelemetry exporter: GenAI semantic conventions and OpenInference ---


def test_plain_opentelemetry_exporter_genai_and_openinference(module_server: ServerProcess) -> None:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    token = base64.b64encode(f"{module_server.public_key}:{module_server.secret_key}".encode()).decode()
    exporter = OTLPSpanExporter(endpoint=f"{module_server.url}/v1/traces", headers={"Authorization": f"Basic {token}"})
    provider = TracerProvider(resource=Resource.create({"service.name": "plain-otel-app"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("my.genai.instrumentation", "1.0")
    with tracer.start_as_current_span("agent-run") as root:
        root.set_attribute("session.id", "otel-session")
        root.set_attribute("user.id", "otel-user")
        with tracer.start_as_current_span("chat gpt-4o") as span:
            span.set_attributes({
                "gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
                "gen_ai.request.temperature": 0.3, "gen_ai.request.max_tokens": 64,
                "gen_ai.usage.input_tokens": 21, "gen_ai.usage.output_tokens": 9,
                "gen_ai.input.messages": '[{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]',
            })  # fmt: skip
            span.add_event("gen_ai.choice", {"message": '{"role": "assistant", "content": "hello"}'})
        with tracer.start_as_current_span("llama") as span:
            span.set_attributes({
                "openinference.span.kind": "LLM", "llm.model_name": "llama3.1:8b",
                "llm.token_count.prompt": 4, "llm.token_count.completion": 6, "llm.token_count.total": 10,
                "llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "hey",
                "llm.output_messages.0.message.role": "assistant", "llm.output_messages.0.message.content": "yo",
                "llm.invocation_parameters": '{"temperature": 0.7}',
            })  # fmt: skip
        with tracer.start_as_current_span("search") as span:
            span.set_attribute("openinference.span.kind", "RETRIEVER")
            span.set_attribute("input.value", "what is otel")
        trace_id = format(root.get_span_context().trace_id, "032x")
    assert provider.force_flush()
    provider.shutdown()

    trace, obs = _trace(module_server, trace_id)
    assert trace["name"] == "agent-run"
    assert (trace["sessionId"], trace["userId"]) == ("otel-session", "otel-user")
    chat = obs["chat gpt-4o"]
    assert (chat["type"], chat["model"]) == ("GENERATION", "gpt-4o")
    assert chat["modelParameters"] == {"temperature": 0.3, "max_tokens": 64}
    assert chat["usageDetails"] == {"input": 21, "output": 9, "total": 30}
    assert chat["input"] == [{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]
    assert chat["output"] == {"role": "assistant", "content": "hello"}
    assert chat["metadata"]["resourceAttributes"]["service.name"] == "plain-otel-app"
    assert chat["metadata"]["attributes"]["gen_ai.system"] == "openai"
    llama = obs["llama"]
    assert (llama["type"], llama["model"]) == ("GENERATION", "llama3.1:8b")
    assert llama["usageDetails"] == {"input": 4, "output": 6, "total": 10}
    assert llama["input"] == [{"role": "user", "content": "hey"}]
    assert llama["output"] == {"role": "assistant", "content": "yo"}
    assert obs["search"]["type"] == "RETRIEVER"
    assert obs["search"]["input"] == "what is otel"
    assert trace["totalTokens"] == 40


def test_plain_exporter_with_gzip_lands(module_server: ServerProcess) -> None:
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    token = base64.b64encode(f"{module_server.public_key}:{module_server.secret_key}".encode()).decode()
    exporter = OTLPSpanExporter(endpoint=f"{module_server.url}/api/public/otel/v1/traces",
                                headers={"Authorization": f"Basic {token}"}, compression=Compression.Gzip)  # fmt: skip
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("t").start_as_current_span("gzipped") as span:
        trace_id = format(span.get_span_context().trace_id, "032x")
    provider.shutdown()
    with httpx.Client(base_url=module_server.url, auth=module_server.auth) as client:
        assert client.get(f"/api/public/traces/{trace_id}").json()["name"] == "gzipped"


READS_V5 = r"""
import json, os
from langfuse import Langfuse
lf = Langfuse()
trace_id = os.environ["TRACE_ID"]
names, cursor, pages = [], None, 0
while True:
    page = lf.api.observations.get_many(trace_id=trace_id, fields="core,basic,usage,model", limit=4, cursor=cursor)
    names += [o.name for o in page.data]
    pages += 1
    cursor = page.meta.cursor
    if not cursor:
        break
gen = lf.api.observations.get_many(trace_id=trace_id, type="GENERATION", name="llm-call", fields="basic,usage,model")
scores = lf.api.scores.get_many(trace_id=trace_id, fields="details,subject")
print(json.dumps({
    "names": sorted(names), "pages": pages,
    "generation": {"model": gen.data[0].model, "usage": gen.data[0].usage_details, "user": gen.data[0].user_id},
    "scores": sorted((s.name, s.value, s.subject.kind) for s in scores.data),
}))
"""


def test_5x_client_reads_v2_observations_and_v3_scores(module_server: ServerProcess) -> None:
    ids = run_script("5.0.4", SCENARIO, {**module_server.sdk_env(), "PROMPT_NAME": "critic-reads"})
    result = run_script("5.0.4", READS_V5, {**module_server.sdk_env(), "TRACE_ID": ids["trace_id"]})
    assert result["names"] == sorted(
        ["chat", "llm-call", "agent-step", "search-tool", "embed", "user-feedback-clicked", "failing", "decorated",
         "fake_llm"]
    )  # fmt: skip
    assert result["pages"] == 3
    assert result["generation"] == {"model": "gpt-4o-mini", "usage": {"input": 10, "output": 5, "total": 15},
                                    "user": "user-1"}  # fmt: skip
    assert result["scores"] == [["quality", 0.9, "trace"], ["relevance", 0.8, "observation"], ["thumbs", True, "trace"]]
