"""What the official SDKs read back, through their own read calls and generated clients (2.60.10, 3.15.0, 5.0.4).

Every read endpoint's answer is parsed by the SDK's own pydantic models, so a field Langfuse's definition requires
and we leave out (or fill with the wrong type) fails here, as it would fail a user's script. Then the values: scores
of every data type, metadata that is `{}` rather than null, model parameters as sent, the linked prompt's id, the
`filter` parameter, and the 404 body the SDKs' error types carry.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.support.sdk import run_script
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

TRACE, PLAIN, GEN, SESSION, PROMPT = "rf-trace", "rf-plain", "rf-gen", "rf-session", "rf-prompt"
PARAMS = {"temperature": "0.9", "max_tokens": 100, "stream": False}
MATCH = json.dumps([{"type": "string", "column": "userId", "operator": "=", "value": "rf-user"}])
NO_MATCH = json.dumps([{"type": "string", "column": "userId", "operator": "=", "value": "nobody"}])
ALL_GROUPS = "core,basic,time,io,metadata,model,usage,prompt,metrics,trace_context"


def _event(kind: str, n: int, **body: Any) -> dict[str, Any]:
    return {"id": f"rf-ev-{n}", "type": kind, "timestamp": "2026-11-27T10:00:00Z", "body": body}


@pytest.fixture(scope="module")
def seeded(module_server: ServerProcess) -> dict[str, Any]:
    with httpx.Client(base_url=module_server.url, auth=module_server.auth) as client:
        prompt = client.post("/api/public/v2/prompts", json={"name": PROMPT, "prompt": "Hi {{name}}", "type": "text",
                                                             "labels": ["production"]})  # fmt: skip
        assert prompt.status_code in (200, 201), prompt.text
        batch = [
            _event("trace-create", 1, id=TRACE, name="rf", userId="rf-user", sessionId=SESSION, tags=["rf"],
                   timestamp="2026-11-27T10:00:00Z", input={"q": "hi"}),
            _event("trace-create", 2, id=PLAIN, name="plain", timestamp="2026-11-27T09:00:00Z"),
            _event("generation-create", 3, id=GEN, traceId=TRACE, name="llm", model="gpt-4o-mini",
                   modelParameters=PARAMS, promptName=PROMPT, promptVersion=1, startTime="2026-11-27T10:00:00Z",
                   endTime="2026-11-27T10:00:01Z", usage={"input": 10, "output": 5}),
            _event("span-create", 4, id="rf-span", traceId=TRACE, name="plain-span", startTime="2026-11-27T10:00:00Z"),
            _event("score-create", 5, id="rf-num", traceId=TRACE, name="quality", value=0.5),
            _event("score-create", 6, id="rf-cat", traceId=TRACE, name="tone", value="friendly",
                   dataType="CATEGORICAL"),
            _event("score-create", 7, id="rf-bool", traceId=TRACE, observationId=GEN, name="ok", value=1,
                   dataType="BOOLEAN"),
        ]  # fmt: skip
        response = client.post("/api/public/ingestion", json={"batch": batch})
        assert response.status_code == 207 and response.json()["errors"] == [], response.text
        raw_trace = client.get(f"/api/public/traces/{TRACE}").json()
    return {"prompt_id": prompt.json()["id"], "raw_trace": raw_trace}


COMMON = f"""
import json
from langfuse import Langfuse
TRACE, PLAIN, GEN, SESSION, PROMPT = {TRACE!r}, {PLAIN!r}, {GEN!r}, {SESSION!r}, {PROMPT!r}
MATCH, NO_MATCH, ALL_GROUPS = {MATCH!r}, {NO_MATCH!r}, {ALL_GROUPS!r}
out = {{}}

def missing(call):
    try:
        call()
    except Exception as exc:  # the SDK's NotFoundError: its status and the body it parsed
        return {{"status": getattr(exc, "status_code", None), "body": getattr(exc, "body", None)}}
    return None
"""

# 2.x and 3.x: fern clients on pydantic v1 (`.json()` gives the wire keys of what was parsed).
V1_MODELS = """
def dump(model):
    return model if isinstance(model, dict) else json.loads(model.json())
"""

SCRIPT_V2 = (
    COMMON
    + V1_MODELS
    + """
lf = Langfuse()
api = lf.client
extra = lambda value: {"additional_query_parameters": {"filter": value}}
out["trace"] = dump(lf.fetch_trace(TRACE).data)
out["plain"] = dump(api.trace.get(PLAIN))
out["listed"] = [dump(t) for t in lf.fetch_traces(user_id="rf-user").data]
out["filtered"] = [t.id for t in api.trace.list(request_options=extra(MATCH)).data]
out["nothing"] = [t.id for t in api.trace.list(request_options=extra(NO_MATCH)).data]
out["observations"] = [dump(o) for o in lf.fetch_observations(trace_id=TRACE).data]
out["observation"] = dump(api.observations.get(GEN))
out["filtered_observations"] = [o.id for o in api.observations.get_many(request_options=extra(MATCH)).data]
out["scores"] = [dump(s) for s in api.score.get(limit=100).data]
out["score"] = dump(api.score.get_by_id("rf-cat"))
out["session"] = dump(api.sessions.get(SESSION))
out["sessions"] = [dump(s) for s in api.sessions.list().data]
out["prompt"] = dump(api.prompts.get(PROMPT))
out["prompts"] = [dump(p) for p in api.prompts.list().data]
out["models"] = [dump(m) for m in api.models.list(limit=5).data]
out["model"] = dump(api.models.get(out["models"][0]["id"]))
out["missing"] = missing(lambda: api.trace.get("rf-missing"))
print(json.dumps(out))
"""
)

SCRIPT_V3 = (
    COMMON
    + V1_MODELS
    + """
lf = Langfuse()
api = lf.api
out["trace"] = dump(api.trace.get(TRACE))
out["plain"] = dump(api.trace.get(PLAIN))
out["listed"] = [dump(t) for t in api.trace.list(user_id="rf-user").data]
out["filtered"] = [t.id for t in api.trace.list(filter=MATCH).data]
out["nothing"] = [t.id for t in api.trace.list(filter=NO_MATCH).data]
out["observations"] = [dump(o) for o in api.observations.get_many(trace_id=TRACE).data]
out["observation"] = dump(api.observations.get(GEN))
out["observations_v2"] = [dump(o) for o in api.observations_v_2.get_many(trace_id=TRACE, fields=ALL_GROUPS).data]
out["filtered_observations"] = [o["id"] for o in api.observations_v_2.get_many(filter=MATCH).data]
out["scores"] = [dump(s) for s in api.score_v_2.get(limit=100).data]
out["score"] = dump(api.score_v_2.get_by_id("rf-cat"))
out["session"] = dump(api.sessions.get(SESSION))
out["sessions"] = [dump(s) for s in api.sessions.list().data]
out["prompt"] = dump(api.prompts.get(PROMPT))
out["prompts"] = [dump(p) for p in api.prompts.list().data]
out["models"] = [dump(m) for m in api.models.list(limit=5).data]
out["model"] = dump(api.models.get(out["models"][0]["id"]))
out["missing"] = missing(lambda: api.trace.get("rf-missing"))
print(json.dumps(out))
"""
)

# 5.x: no v1 trace reads in the client any more; observations v2, scores v3, prompts and models, all on pydantic v2.
SCRIPT_V5 = (
    COMMON
    + """
import httpx
from langfuse.api.commons.types.score import Score
from langfuse.api.core.pydantic_utilities import parse_obj_as

def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)

lf = Langfuse()
api = lf.api
out["observations_v2"] = [dump(o) for o in api.observations.get_many(trace_id=TRACE, fields=ALL_GROUPS).data]
out["filtered_observations"] = [o.id for o in api.observations.get_many(filter=MATCH).data]
out["nothing"] = [o.id for o in api.observations.get_many(filter=NO_MATCH).data]
out["scores_v3"] = [dump(s) for s in api.scores.get_many(trace_id=TRACE, fields="details,subject,annotation").data]
out["prompt"] = dump(api.prompts.get(PROMPT))
out["prompts"] = [dump(p) for p in api.prompts.list().data]
out["models"] = [dump(m) for m in api.models.list(limit=5).data]
out["model"] = dump(api.models.get(out["models"][0]["id"]))
# the v2 score shape is still a model of this SDK (commons.Score): parse our answer with it
import os
auth = (os.environ["LANGFUSE_PUBLIC_KEY"], os.environ["LANGFUSE_SECRET_KEY"])
raw = httpx.get(os.environ["LANGFUSE_HOST"] + "/api/public/v2/scores/rf-cat", auth=auth).json()
out["score"] = dump(parse_obj_as(Score, raw))  # how the SDK's own clients parse an answer
print(json.dumps(out))
"""
)


def _by(items: list[dict[str, Any]], key: str = "id") -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


def _check_scores(scores: dict[str, dict[str, Any]]) -> None:
    assert (scores["rf-num"]["value"], scores["rf-num"].get("stringValue")) == (0.5, None)
    assert (scores["rf-cat"]["value"], scores["rf-cat"]["stringValue"]) == (0, "friendly")
    assert (scores["rf-bool"]["value"], scores["rf-bool"]["stringValue"]) == (1, "True")


def _check_generation(gen: dict[str, Any], prompt_id: str) -> None:
    assert gen["modelParameters"] == PARAMS  # exactly as sent: "0.9" stays a string
    assert (gen["promptId"], gen["promptName"], gen["promptVersion"]) == (prompt_id, PROMPT, 1)


@pytest.mark.parametrize("version", ["2.60.10", "3.15.0"])
def test_v1_reads_parse_with_the_sdk_models(module_server: ServerProcess, seeded: dict[str, Any], version: str) -> None:
    out = run_script(version, SCRIPT_V2 if version == "2.60.10" else SCRIPT_V3, module_server.sdk_env())
    trace = out["trace"]
    _check_scores(_by(trace["scores"]))
    observations = _by(trace["observations"])
    _check_generation(observations[GEN], seeded["prompt_id"])
    assert observations["rf-span"]["metadata"] == {}
    assert out["plain"]["metadata"] == {}
    assert [t["id"] for t in out["listed"]] == [TRACE]
    assert (out["filtered"], out["nothing"]) == ([TRACE], [])
    _check_generation(_by(out["observations"])[GEN], seeded["prompt_id"])
    _check_generation(out["observation"], seeded["prompt_id"])
    assert sorted(out["filtered_observations"]) == [GEN, "rf-span"]
    _check_scores(_by(out["scores"]))
    assert (out["score"]["value"], out["score"]["stringValue"], out["score"]["dataType"]) == (0, "friendly",
                                                                                             "CATEGORICAL")  # fmt: skip
    assert [t["id"] for t in out["session"]["traces"]] == [TRACE]
    assert SESSION in [s["id"] for s in out["sessions"]]
    assert out["prompt"]["name"] == PROMPT and PROMPT in [p["name"] for p in out["prompts"]]
    assert out["models"] and out["model"]["id"] == out["models"][0]["id"]
    assert out["missing"]["status"] == 404
    assert out["missing"]["body"]["error"] == "LangfuseNotFoundError"
    assert out["missing"]["body"]["message"]
    if version == "3.15.0":
        gen = _by(out["observations_v2"])[GEN]
        _check_generation(gen, seeded["prompt_id"])
        assert _by(out["observations_v2"])["rf-span"]["metadata"] == {}


def test_v5_reads_parse_with_the_sdk_models(module_server: ServerProcess, seeded: dict[str, Any]) -> None:
    out = run_script("5.0.4", SCRIPT_V5, module_server.sdk_env())
    observations = _by(out["observations_v2"])
    _check_generation(observations[GEN], seeded["prompt_id"])
    assert observations["rf-span"]["metadata"] == {}
    assert (sorted(out["filtered_observations"]), out["nothing"]) == ([GEN, "rf-span"], [])
    scores = _by(out["scores_v3"])
    assert (scores["rf-num"]["value"], scores["rf-cat"]["value"], scores["rf-bool"]["value"]) == (0.5, "friendly", True)
    assert (out["score"]["value"], out["score"]["stringValue"]) == (0, "friendly")
    assert out["prompt"]["name"] == PROMPT and out["model"]["id"] == out["models"][0]["id"]


def test_trace_has_every_key_langfuse_returns(seeded: dict[str, Any]) -> None:
    trace = seeded["raw_trace"]
    assert trace["externalId"] is None
    expected = {"id", "externalId", "timestamp", "name", "userId", "metadata", "release", "version", "projectId",
                "environment", "public", "bookmarked", "tags", "input", "output", "sessionId", "createdAt",
                "updatedAt", "observations", "scores", "totalCost", "latency", "htmlPath"}  # fmt: skip
    assert expected <= set(trace)


EXPERIMENT_V3 = """
import json
from langfuse import Langfuse
lf = Langfuse()
result = lf.run_experiment(name="rf-experiment", data=[{"input": "ping", "expected_output": "pong"}],
                           task=lambda *, item, **kwargs: "pong")
lf.flush()
trace_id = result.item_results[0].trace_id
print(json.dumps({"trace": json.loads(lf.api.trace.get(trace_id).json())}))
"""


def test_3x_experiment_trace_carries_the_experiment_name(module_server: ServerProcess) -> None:
    out = run_script("3.15.0", EXPERIMENT_V3, module_server.sdk_env())
    assert out["trace"]["metadata"]["experiment_name"] == "rf-experiment"
