"""The evaluation part of the storage contract (store.evaluation), on every backend: score configs, annotation
queues with items and assignments, comments, the existence check, and the queue id of a score."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from spyglass.domain.annotation import AnnotationQueue, QueueItem, QueueItemStatus, QueueObjectType
from spyglass.domain.comments import Comment, CommentObjectType
from spyglass.domain.prompts import NewPrompt, PromptType
from spyglass.domain.score_configs import Category, ConfigDataType, ScoreConfig
from spyglass.store.base import Conflict, NotFound, PageRequest, ScoreFilter, Store
from tests.store.test_contract import observation, project, score, trace

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=UTC)


def at(second: int) -> datetime:
    return NOW.replace(second=second)


async def test_score_configs_round_trip_replace_and_stay_in_their_project(store_backend: Store) -> None:
    pid, other = await project(store_backend), await project(store_backend, "other")
    categories = (Category("rude", 0.0), Category("polite", 1.0))
    tone = ScoreConfig("c-1", pid, "tone", ConfigDataType.CATEGORICAL, at(1), at(1), categories=categories,
                       description="how it sounds")  # fmt: skip
    numeric = ScoreConfig("c-2", pid, "accuracy", ConfigDataType.NUMERIC, at(2), at(2), min_value=0, max_value=1)
    for config in (tone, numeric):
        await store_backend.evaluation.save_score_config(config)
    assert await store_backend.evaluation.get_score_config(pid, "c-1") == tone
    archived = ScoreConfig("c-2", pid, "accuracy", ConfigDataType.NUMERIC, at(2), at(5), is_archived=True,
                           min_value=0, max_value=1)  # fmt: skip
    await store_backend.evaluation.save_score_config(archived)
    assert await store_backend.evaluation.get_score_config(pid, "c-2") == archived
    listed = await store_backend.evaluation.list_score_configs(pid, PageRequest(1, 1))
    assert ([c.id for c in listed.items], listed.total) == (["c-2"], 2)
    with pytest.raises(NotFound):
        await store_backend.evaluation.get_score_config(other, "c-1")
    assert (await store_backend.evaluation.list_score_configs(other, PageRequest())).total == 0


async def test_queues_items_and_assignments(store_backend: Store) -> None:
    pid = await project(store_backend)
    queue = AnnotationQueue("q-1", pid, "review", "weekly", ("c-1", "c-2"), at(1), at(1))
    await store_backend.evaluation.create_queue(queue)
    assert await store_backend.evaluation.get_queue(pid, "q-1") == queue
    with pytest.raises(Conflict):
        await store_backend.evaluation.create_queue(AnnotationQueue("q-2", pid, "review", None, (), at(2), at(2)))
    items = [QueueItem(f"i-{n}", pid, "q-1", f"t-{n}", QueueObjectType.TRACE, QueueItemStatus.PENDING, at(10 - n),
                       at(10 - n)) for n in range(3)]  # fmt: skip
    for item in items:
        await store_backend.evaluation.save_queue_item(item)
    done = QueueItem("i-1", pid, "q-1", "t-1", QueueObjectType.TRACE, QueueItemStatus.COMPLETED, at(9), at(20), at(20))
    await store_backend.evaluation.save_queue_item(done)
    pending = await store_backend.evaluation.list_queue_items(pid, "q-1", QueueItemStatus.PENDING, PageRequest())
    assert [i.id for i in pending.items] == ["i-2", "i-0"]  # oldest first
    assert await store_backend.evaluation.get_queue_item(pid, "q-1", "i-1") == done
    counts = await store_backend.evaluation.queue_item_counts(pid)
    assert counts == {"q-1": {QueueItemStatus.PENDING: 2, QueueItemStatus.COMPLETED: 1}}
    await store_backend.evaluation.delete_queue_item(pid, "q-1", "i-2")
    with pytest.raises(NotFound):
        await store_backend.evaluation.delete_queue_item(pid, "q-1", "i-2")
    with pytest.raises(NotFound):
        await store_backend.evaluation.get_queue_item(pid, "other-queue", "i-0")
    for _ in range(2):
        await store_backend.evaluation.set_queue_assignment(pid, "q-1", "u-2", True)
    await store_backend.evaluation.set_queue_assignment(pid, "q-1", "u-1", True)
    assert await store_backend.evaluation.list_queue_assignments(pid, "q-1") == ["u-1", "u-2"]
    await store_backend.evaluation.set_queue_assignment(pid, "q-1", "u-2", False)
    assert await store_backend.evaluation.list_queue_assignments(pid, "q-1") == ["u-1"]


async def test_comments_and_what_exists(store_backend: Store) -> None:
    pid = await project(store_backend)
    await store_backend.write([trace(pid, "t-1", session_id="s-1"), *observation(pid, "o-1", trace_id="t-1")])
    prompt = await store_backend.create_prompt(pid, NewPrompt(name="p", type=PromptType.TEXT, prompt="hi"))
    evaluation = store_backend.evaluation
    for kind, object_id in (("TRACE", "t-1"), ("OBSERVATION", "o-1"), ("SESSION", "s-1"), ("PROMPT", prompt.id)):
        assert await evaluation.object_exists(pid, kind, object_id), kind
        assert not await evaluation.object_exists(pid, kind, "missing"), kind
    assert not await evaluation.object_exists(await project(store_backend, "other"), "TRACE", "t-1")
    for n, (kind, author) in enumerate(((CommentObjectType.TRACE, "u-1"), (CommentObjectType.TRACE, None),
                                        (CommentObjectType.SESSION, "u-1"))):  # fmt: skip
        object_id = "t-1" if kind == CommentObjectType.TRACE else "s-1"
        await evaluation.create_comment(Comment(f"m-{n}", pid, kind, object_id, f"text {n}", at(n), at(n), author))
    on_trace = await evaluation.list_comments(pid, CommentObjectType.TRACE, "t-1", None, PageRequest())
    assert [c.id for c in on_trace.items] == ["m-0", "m-1"]
    by_author = await evaluation.list_comments(pid, None, None, "u-1", PageRequest())
    assert [c.id for c in by_author.items] == ["m-0", "m-2"]
    assert (await evaluation.get_comment(pid, "m-2")).content == "text 2"
    with pytest.raises(NotFound):
        await evaluation.get_comment(pid, "m-9")


async def test_a_score_keeps_its_queue_id(store_backend: Store) -> None:
    pid = await project(store_backend)
    await store_backend.write([score(pid, "s-1", trace_id="t-1", queue_id="q-1"), score(pid, "s-2", trace_id="t-1")])
    assert (await store_backend.get_score(pid, "s-1")).queue_id == "q-1"
    found = await store_backend.list_scores(pid, ScoreFilter(queue_ids=("q-1",)), PageRequest())
    assert [s.id for s in found.items] == ["s-1"]
