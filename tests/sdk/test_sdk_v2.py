"""The official langfuse==2.60.10 SDK against a live `spyglass serve`: seed-style calls, read back field by field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.sdk import run_script
from tests.support.server import ServerProcess

SDK = "2.60.10"

SCENARIO = r"""
import json
from langfuse import Langfuse
from langfuse.decorators import langfuse_context, observe

lf = Langfuse()
assert lf.auth_check() is True

trace = lf.trace(
    name="chat", user_id="user-1", session_id="sess-1", tags=["seed", "v2"], metadata={"source": "seed"},
    input={"q": "hi"}, release="rel-1.0", version="app-1",
)
gen = trace.generation(
    name="llm-call", model="gpt-4o-mini", input=[{"role": "user", "content": "hi"}],
    model_parameters={"temperature": 0.2, "max_tokens": 100}, metadata={"k": "v"},
)
gen.end(output={"role": "assistant", "content": "hello"}, usage={"input": 10, "output": 5, "total": 15})
span = trace.span(name="retrieval", input={"query": "docs"}, metadata={"index": "main"})
event = span.event(name="cache-hit", metadata={"hit": True})
span.end(output={"docs": 3})
failing = trace.span(name="failing", level="ERROR", status_message="upstream timed out")
failing.end()
trace.score(name="quality", value=0.9, comment="good answer")
lf.score(trace_id=trace.id, observation_id=gen.id, name="relevance", value="relevant", data_type="CATEGORICAL")
lf.score(trace_id=trace.id, name="thumbs", value=1, data_type="BOOLEAN")
trace.update(output={"answer": "hello"}, metadata={"extra": 1})

@observe(as_type="generation")
def answer(question):
    langfuse_context.update_current_observation(model="llama3.1:8b", usage={"input": 3, "output": 4})
    return "forty-two"

@observe()
def pipeline(question):
    langfuse_context.update_current_trace(user_id="user-2", session_id="sess-2", tags=["decorated"])
    return answer(question)

pipeline("what is the answer?")
decorated_trace_id = langfuse_context.get_current_trace_id()
langfuse_context.flush()
lf.flush()

fetched = lf.fetch_trace(trace.id).data
listed = lf.fetch_traces(user_id="user-1").data
observations = lf.fetch_observations(trace_id=trace.id).data
one = lf.fetch_observation(gen.id).data
sessions = lf.fetch_sessions().data
print(json.dumps({
    "trace_id": trace.id, "generation_id": gen.id, "span_id": span.id, "event_id": event.id,
    "failing_id": failing.id,
    "fetched": {"name": fetched.name, "user_id": fetched.user_id, "observations": len(fetched.observations),
                "scores": sorted(s.name for s in fetched.scores), "latency": fetched.latency,
                "total_cost": fetched.total_cost},
    "listed": [t.id for t in listed],
    "observation_names": sorted(o.name for o in observations),
    "one": {"model": one.model, "type": one.type, "usage_input": one.usage.input if one.usage else None},
    "sessions": sorted(s.id for s in sessions),
}))
"""


@pytest.fixture(scope="module")
def scenario(module_server: ServerProcess) -> dict[str, Any]:
    result: dict[str, Any] = run_script(SDK, SCENARIO, module_server.sdk_env())
    return result


def _get(server: ServerProcess, path: str, **params: Any) -> Any:
    with server.client() as client:
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()


def test_sdk_reads_back_through_its_own_fetch_calls(scenario: dict[str, Any]) -> None:
    fetched = scenario["fetched"]
    assert fetched["name"] == "chat"
    assert fetched["user_id"] == "user-1"
    assert fetched["observations"] == 4
    assert fetched["scores"] == ["quality", "relevance", "thumbs"]
    assert fetched["latency"] >= 0
    assert scenario["listed"] == [scenario["trace_id"]]
    assert scenario["observation_names"] == ["cache-hit", "failing", "llm-call", "retrieval"]
    assert scenario["one"] == {"model": "gpt-4o-mini", "type": "GENERATION", "usage_input": 10}
    assert {"sess-1", "sess-2"} <= set(scenario["sessions"])


def test_trace_fields(module_server: ServerProcess, scenario: dict[str, Any]) -> None:
    trace = _get(module_server, f"/api/public/traces/{scenario['trace_id']}")
    assert trace["name"] == "chat"
    assert trace["userId"] == "user-1"
    assert trace["sessionId"] == "sess-1"
    assert trace["tags"] == ["seed", "v2"]
    assert trace["release"] == "rel-1.0"
    assert trace["version"] == "app-1"
    assert trace["input"] == {"q": "hi"}
    assert trace["output"] == {"answer": "hello"}
    # trace.update() added a metadata key without dropping the first one
    assert trace["metadata"] == {"source": "seed", "extra": 1}
    assert trace["level"] == "ERROR"
    assert trace["observationCount"] == 4
    assert trace["inputTokens"] == 10
    assert trace["outputTokens"] == 5
    assert trace["timestamp"].endswith("Z")


def test_generation_fields(module_server: ServerProcess, scenario: dict[str, Any]) -> None:
    gen = _get(module_server, f"/api/public/observations/{scenario['generation_id']}")
    assert gen["type"] == "GENERATION"
    assert gen["traceId"] == scenario["trace_id"]
    assert gen["name"] == "llm-call"
    assert gen["model"] == "gpt-4o-mini"
    assert gen["input"] == [{"role": "user", "content": "hi"}]
    assert gen["output"] == {"role": "assistant", "content": "hello"}
    # the 2.x SDK sends 0.2 as the string "0.2": Langfuse gives it back exactly as sent, and so do we
    assert gen["modelParameters"] == {"temperature": "0.2", "max_tokens": 100}
    assert gen["metadata"] == {"k": "v"}
    assert gen["usageDetails"] == {"input": 10, "output": 5, "total": 15}
    assert gen["usage"]["input"] == 10
    assert gen["usage"]["output"] == 5
    assert gen["usage"]["total"] == 15
    assert gen["endTime"] is not None
    assert gen["latency"] >= 0
    assert gen["level"] == "DEFAULT"


def test_span_event_and_error_fields(module_server: ServerProcess, scenario: dict[str, Any]) -> None:
    span = _get(module_server, f"/api/public/observations/{scenario['span_id']}")
    assert (span["type"], span["name"]) == ("SPAN", "retrieval")
    assert span["input"] == {"query": "docs"}
    assert span["output"] == {"docs": 3}
    assert span["metadata"] == {"index": "main"}
    event = _get(module_server, f"/api/public/observations/{scenario['event_id']}")
    assert (event["type"], event["name"]) == ("EVENT", "cache-hit")
    assert event["parentObservationId"] == scenario["span_id"]
    assert event["metadata"] == {"hit": True}
    failing = _get(module_server, f"/api/public/observations/{scenario['failing_id']}")
    assert failing["level"] == "ERROR"
    assert failing["statusMessage"] == "upstream timed out"


def test_scores(module_server: ServerProcess, scenario: dict[str, Any]) -> None:
    scores = _get(module_server, "/api/public/scores", traceId=scenario["trace_id"])["data"]
    by_name = {s["name"]: s for s in scores}
    assert by_name["quality"]["value"] == 0.9
    assert by_name["quality"]["comment"] == "good answer"
    assert by_name["quality"]["dataType"] == "NUMERIC"
    assert by_name["quality"]["source"] == "API"
    assert by_name["relevance"]["stringValue"] == "relevant"
    assert by_name["relevance"]["dataType"] == "CATEGORICAL"
    assert by_name["relevance"]["observationId"] == scenario["generation_id"]
    assert by_name["thumbs"]["value"] == 1.0
    assert by_name["thumbs"]["dataType"] == "BOOLEAN"


def test_observe_decorator_trace(module_server: ServerProcess, scenario: dict[str, Any]) -> None:
    traces = _get(module_server, "/api/public/traces", userId="user-2")["data"]
    assert len(traces) == 1
    detail = _get(module_server, f"/api/public/traces/{traces[0]['id']}")
    assert detail["name"] == "pipeline"
    assert detail["sessionId"] == "sess-2"
    assert detail["tags"] == ["decorated"]
    assert detail["output"] == "forty-two"
    by_name = {o["name"]: o for o in detail["observations"]}
    assert by_name["answer"]["type"] == "GENERATION"
    assert by_name["answer"]["model"] == "llama3.1:8b"
    assert by_name["answer"]["usageDetails"] == {"input": 3, "output": 4, "total": 7}
    assert by_name["answer"]["output"] == "forty-two"


def test_session_with_its_traces(module_server: ServerProcess, scenario: dict[str, Any]) -> None:
    session = _get(module_server, "/api/public/sessions/sess-1")
    assert session["id"] == "sess-1"
    assert [t["id"] for t in session["traces"]] == [scenario["trace_id"]]
