"""Score configs, annotation queues and comments through the official langfuse==5.0.4 SDK against a live server.

The 5.x SDK exposes the three resources as `api.score_configs`, `api.annotation_queues` and `api.comments`, and
`create_score(config_id=...)` sends a score-create event that the server checks against the config.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.sdk import run_script
from tests.support.server import ServerProcess

SDK = "5.0.4"

SCENARIO = r"""
import json
from langfuse import Langfuse
from langfuse.api import ConfigCategory
from langfuse.api.commons.errors.not_found_error import NotFoundError
from langfuse.api.core.api_error import ApiError

lf = Langfuse()
api = lf.api
out = {}

accuracy = api.score_configs.create(name="accuracy", data_type="NUMERIC", min_value=0, max_value=1,
                                    description="share of correct facts")
categories = [ConfigCategory(label="rude", value=0), ConfigCategory(label="polite", value=1)]
tone = api.score_configs.create(name="tone", data_type="CATEGORICAL", categories=categories)
helpful = api.score_configs.create(name="helpful", data_type="BOOLEAN")
out["created"] = [[c.name, c.data_type, c.min_value, c.max_value, c.is_archived] for c in (accuracy, tone, helpful)]
out["boolean_categories"] = [[c.label, c.value] for c in helpful.categories]
out["listed"] = [c.name for c in api.score_configs.get(page=1, limit=10).data]
out["by_id"] = api.score_configs.get_by_id(tone.id).categories[1].label
try:
    api.score_configs.create(name="broken", data_type="NUMERIC", min_value=2, max_value=1)
    out["bad_config"] = "no error"
except ApiError as exc:
    out["bad_config"] = [exc.status_code, exc.body["message"]]

with lf.start_as_current_observation(name="answer") as span:
    span.update(input="What is 2+2?", output="4")
    trace_id = span.trace_id
    obs_id = span.id
lf.flush()
lf.create_score(trace_id=trace_id, name="accuracy", value=0.9, config_id=accuracy.id)
lf.create_score(trace_id=trace_id, name="accuracy", value=7, config_id=accuracy.id)
lf.create_score(trace_id=trace_id, name="tone", value="polite", data_type="CATEGORICAL", config_id=tone.id)
lf.create_score(trace_id=trace_id, name="helpful", value=1, data_type="BOOLEAN", config_id=helpful.id)
lf.flush()
out["trace_id"] = trace_id

archived = api.score_configs.update(accuracy.id, is_archived=True)
out["archived"] = archived.is_archived

queue = api.annotation_queues.create_queue(name="weekly review", description="check answers",
                                           score_config_ids=[tone.id, helpful.id])
out["queue"] = [queue.name, queue.description, queue.score_config_ids == [tone.id, helpful.id]]
item = api.annotation_queues.create_queue_item(queue.id, object_id=trace_id, object_type="TRACE")
obs_item = api.annotation_queues.create_queue_item(queue.id, object_id=obs_id, object_type="OBSERVATION")
out["item"] = [item.object_id == trace_id, item.object_type, item.status, item.completed_at]
done = api.annotation_queues.update_queue_item(queue.id, item.id, status="COMPLETED")
out["done"] = [done.status, done.completed_at is not None]
out["pending"] = [i.id == obs_item.id for i in api.annotation_queues.list_queue_items(queue.id, status="PENDING").data]
out["got_item"] = api.annotation_queues.get_queue_item(queue.id, obs_item.id).object_type
out["deleted"] = api.annotation_queues.delete_queue_item(queue.id, obs_item.id).success
out["queues"] = [q.name for q in api.annotation_queues.list_queues().data]
out["got_queue"] = api.annotation_queues.get_queue(queue.id).name
try:
    api.annotation_queues.get_queue("nope")
    out["missing_queue"] = "no error"
except NotFoundError:
    out["missing_queue"] = "NotFoundError"

project_id = api.projects.get().data[0].id
made = api.comments.create(project_id=project_id, object_type="TRACE", object_id=trace_id,
                           content="Looks right to me", author_user_id="reviewer-1")
api.comments.create(project_id=project_id, object_type="OBSERVATION", object_id=obs_id, content="fine span")
listed = api.comments.get(object_type="TRACE", object_id=trace_id)
out["comments"] = [[c.content, c.author_user_id, c.object_type] for c in listed.data]
out["comment_by_id"] = api.comments.get_by_id(made.id).content
try:
    api.comments.create(project_id=project_id, object_type="TRACE", object_id="no-such-trace", content="x")
    out["bad_comment"] = "no error"
except ApiError as exc:
    out["bad_comment"] = [exc.status_code, exc.body["message"]]
lf.shutdown()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def seen(module_server: ServerProcess) -> dict[str, Any]:
    result: dict[str, Any] = run_script(SDK, SCENARIO, module_server.sdk_env())
    return result


@pytest.mark.slow
def test_score_configs_through_the_sdk_client(seen: dict[str, Any]) -> None:
    assert seen["created"] == [
        ["accuracy", "NUMERIC", 0, 1, False],
        ["tone", "CATEGORICAL", None, None, False],
        ["helpful", "BOOLEAN", None, None, False],
    ]
    assert seen["boolean_categories"] == [["True", 1], ["False", 0]]
    assert seen["listed"] == ["helpful", "tone", "accuracy"]
    assert seen["by_id"] == "polite"
    assert seen["bad_config"] == [400, "minValue must not be greater than maxValue"]
    assert seen["archived"] is True


@pytest.mark.slow
def test_scores_sent_with_a_config_are_checked(seen: dict[str, Any], module_server: ServerProcess) -> None:
    with module_server.client() as client:
        scores = client.get("/api/public/scores", params={"traceId": seen["trace_id"]}).json()["data"]
    found = sorted((s["name"], s["dataType"], s["value"], s["stringValue"]) for s in scores)
    # the out-of-range accuracy (7 > maxValue 1) is the batch item's 400 and is not stored
    assert found == [
        ("accuracy", "NUMERIC", 0.9, None),
        ("helpful", "BOOLEAN", 1, "True"),
        ("tone", "CATEGORICAL", 1, "polite"),
    ]


@pytest.mark.slow
def test_annotation_queue_through_the_sdk_client(seen: dict[str, Any]) -> None:
    assert seen["queue"] == ["weekly review", "check answers", True]
    assert seen["item"] == [True, "TRACE", "PENDING", None]
    assert seen["done"] == ["COMPLETED", True]
    assert seen["pending"] == [True]
    assert seen["got_item"] == "OBSERVATION"
    assert seen["deleted"] is True
    assert seen["queues"] == ["weekly review"]
    assert seen["got_queue"] == "weekly review"
    assert seen["missing_queue"] == "NotFoundError"


@pytest.mark.slow
def test_comments_through_the_sdk_client(seen: dict[str, Any]) -> None:
    assert seen["comments"] == [["Looks right to me", "reviewer-1", "TRACE"]]
    assert seen["comment_by_id"] == "Looks right to me"
    assert seen["bad_comment"] == [400, "objectId: no trace 'no-such-trace' in this project"]
