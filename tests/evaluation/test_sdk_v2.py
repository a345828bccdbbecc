"""Scores with a `config_id` from the official langfuse==2.60.10 SDK (batch ingestion), configs, queue items and
comments through its generated API client, against a live server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.sdk import run_script
from tests.support.server import ServerProcess

SDK = "2.60.10"

SCENARIO = r"""
import json
from langfuse import Langfuse
from langfuse.api import ConfigCategory, CreateCommentRequest, CreateScoreConfigRequest

lf = Langfuse()
api = lf.client
out = {}
rating = api.score_configs.create(request=CreateScoreConfigRequest(
    name="rating", dataType="NUMERIC", minValue=1, maxValue=5))
verdict = api.score_configs.create(request=CreateScoreConfigRequest(
    name="verdict", dataType="CATEGORICAL",
    categories=[ConfigCategory(label="wrong", value=0), ConfigCategory(label="right", value=1)]))
out["configs"] = [c.name for c in api.score_configs.get().data]
out["by_id"] = [api.score_configs.get_by_id(rating.id).max_value, api.score_configs.get_by_id(verdict.id).data_type]

trace = lf.trace(name="qa", input="2+2?", output="4")
trace.score(name="rating", value=4, config_id=rating.id)
trace.score(name="rating", value=9, config_id=rating.id)
trace.score(name="verdict", value="right", config_id=verdict.id)
trace.score(name="verdict", value="maybe", config_id=verdict.id)
lf.flush()
out["trace_id"] = trace.id

project_id = api.projects.get().data[0].id
made = api.comments.create(request=CreateCommentRequest(
    projectId=project_id, objectType="TRACE", objectId=trace.id, content="checked by hand"))
out["comment"] = api.comments.get_by_id(made.id).content
queues = api.annotation_queues.list_queues()
out["queues"] = [q.name for q in queues.data]
lf.shutdown()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def seen(module_server: ServerProcess) -> dict[str, Any]:
    with module_server.client() as client:
        client.post("/api/public/annotation-queues", json={"name": "inbox", "scoreConfigIds": []}).raise_for_status()
    result: dict[str, Any] = run_script(SDK, SCENARIO, module_server.sdk_env())
    return result


@pytest.mark.slow
def test_configs_through_the_2x_client(seen: dict[str, Any]) -> None:
    assert seen["configs"] == ["verdict", "rating"]
    assert seen["by_id"] == [5, "CATEGORICAL"]


@pytest.mark.slow
def test_2x_scores_with_config_id_are_checked(seen: dict[str, Any], module_server: ServerProcess) -> None:
    with module_server.client() as client:
        scores = client.get("/api/public/scores", params={"traceId": seen["trace_id"]}).json()["data"]
    # rating 9 (above maxValue 5) and verdict 'maybe' (not a category) were their batch items' 400s
    assert sorted((s["name"], s["value"], s["stringValue"]) for s in scores) == [
        ("rating", 4, None),
        ("verdict", 1, "right"),
    ]


@pytest.mark.slow
def test_comments_and_queues_through_the_2x_client(seen: dict[str, Any]) -> None:
    assert seen["comment"] == "checked by hand"
    assert seen["queues"] == ["inbox"]
