"""What the trace, session and queue pages show of score configs and comments: typed page parts, built here once.

Writers are members and up (the ANNOTATE action); viewers see the thread and the scores but get no forms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spyglass.domain.accounts import Action
from spyglass.domain.annotation import AnnotationQueue
from spyglass.domain.comments import Comment, CommentObjectType
from spyglass.domain.score_configs import ScoreConfig
from spyglass.store.base import EvaluationStore, NotFound, PageRequest, Store
from spyglass.web.auth import ProjectAccess

MAX_THREAD = 200


@dataclass(frozen=True, slots=True)
class CommentThread:
    object_type: CommentObjectType
    object_id: str
    comments: tuple[Comment, ...]
    total: int
    can_write: bool
    authors: dict[str, str]  # author user id -> email, for the users this server knows


@dataclass(frozen=True, slots=True)
class ConfigForms:
    """One form per active config, scoring `target` (traceId/observationId/sessionId -> id)."""

    configs: tuple[ScoreConfig, ...]
    target: dict[str, str]
    can_write: bool
    queue_id: str | None = None


@dataclass(frozen=True, slots=True)
class TraceEvaluation:
    """The trace page's part: config-shaped score forms (when the project has configs) and the comment thread of
    the trace or of the selected observation."""

    scoring: ConfigForms
    comments: CommentThread
    queues: tuple[AnnotationQueue, ...] = ()  # where "Add to queue" can put the trace or selected observation


async def comment_thread(
    store: Store, access: ProjectAccess, object_type: CommentObjectType, object_id: str
) -> CommentThread:
    """The object's comments, oldest first (at most MAX_THREAD), with their authors' emails."""
    page = await store.evaluation.list_comments(
        access.project.id, object_type, object_id, None, PageRequest(1, MAX_THREAD)
    )
    authors: dict[str, str] = {}
    for author in {c.author_user_id for c in page.items if c.author_user_id}:
        try:
            authors[author] = (await store.get_user(author)).email
        except NotFound:
            continue  # an id an API client chose, not a user of this server
    return CommentThread(object_type, object_id, page.items, page.total, access.can(Action.ANNOTATE), authors)


async def active_configs(store: EvaluationStore, project_id: str, ids: Sequence[str] | None = None) -> tuple[
    ScoreConfig, ...
]:  # fmt: skip
    """The project's unarchived configs (oldest first), or those among `ids` in that order."""
    if ids is not None:
        found = []
        for config_id in ids:
            try:
                found.append(await store.get_score_config(project_id, config_id))
            except NotFound:
                continue
        return tuple(c for c in found if not c.is_archived)
    page = await store.list_score_configs(project_id, PageRequest(1, 1000))
    return tuple(reversed([c for c in page.items if not c.is_archived]))


async def writable_queues(store: Store, access: ProjectAccess) -> tuple[AnnotationQueue, ...]:
    """The queues "Add to queue" offers: the project's newest 100, for members and up only."""
    if not access.can(Action.ANNOTATE):
        return ()
    return (await store.evaluation.list_queues(access.project.id, PageRequest(1, 100))).items


async def trace_evaluation(
    store: Store, access: ProjectAccess, trace_id: str, observation_id: str | None
) -> TraceEvaluation:
    target = {"traceId": trace_id}
    if observation_id:
        target["observationId"] = observation_id
        thread = await comment_thread(store, access, CommentObjectType.OBSERVATION, observation_id)
    else:
        thread = await comment_thread(store, access, CommentObjectType.TRACE, trace_id)
    configs = await active_configs(store.evaluation, access.project.id)
    queues = await writable_queues(store, access)
    return TraceEvaluation(ConfigForms(configs, target, access.can(Action.ANNOTATE)), thread, queues)
