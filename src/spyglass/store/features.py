"""The store's protocols for features that are not the ingest fold: media, data policies, content for exports,
evaluation (score configs, queues, comments) and datasets. `Store` (base.py) reaches them as methods or properties;
a backend implements each, and mypy checks it through `open_store`'s return type."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from spyglass.domain.annotation import AnnotationQueue, QueueItem, QueueItemStatus
from spyglass.domain.comments import Comment, CommentObjectType
from spyglass.domain.cursor_pages import CursorPage
from spyglass.domain.datasets import (
    Dataset,
    DatasetItem,
    DatasetRun,
    DatasetRunItem,
    DatasetSummary,
    ItemFilter,
    ItemUpsert,
    NewDataset,
    RunComparison,
    RunItemLink,
)
from spyglass.domain.experiments import Experiment, ExperimentItem, ExperimentQuery
from spyglass.domain.lifecycle import DataPolicy, PurgeReport
from spyglass.domain.media import Media, MediaLink
from spyglass.domain.score_configs import ScoreConfig

if TYPE_CHECKING:  # base.py imports this module for Store's bases
    from spyglass.store.base import Page, PageRequest

# input, output, metadata
Content = tuple[Any, Any, Any]


class MediaStore(Protocol):
    """Media metadata: what was announced, whether its bytes arrived, and where it is referenced. The bytes
    themselves live outside the database (store/blobs.py)."""

    async def register_media(self, media: Media, link: MediaLink | None) -> Media:
        """Record `media` unless the project has a file with its id already (ids come from the content, so that is
        the same file), record `link`, and return the stored media."""
        ...

    async def get_media(self, project_id: str, media_id: str) -> Media:
        """NotFound unless the project has it."""
        ...

    async def record_media_upload(
        self, project_id: str, media_id: str, uploaded_at: datetime, status: int, error: str | None
    ) -> Media:
        """Record an upload attempt's outcome; a successful one (status < 300) is never overwritten by a failed one."""
        ...

    async def media_in_trace(self, project_id: str, trace_id: str, media_id: str) -> bool:
        """Whether `media_id` was referenced from `trace_id` (public links serve only their own trace's media)."""
        ...


class LifecycleStore(Protocol):
    """Per-project data policies and the deletes that enforce retention."""

    async def get_data_policy(self, project_id: str) -> DataPolicy:
        """The project's policy; the default (keep everything, mask nothing) when it never set one."""
        ...

    async def set_data_policy(self, project_id: str, policy: DataPolicy) -> None: ...

    async def data_policies(self) -> dict[str, DataPolicy]:
        """Every project that set a policy, by project id."""
        ...

    async def purge(self, project_id: str, before: datetime, limit: int) -> PurgeReport:
        """Delete up to `limit` traces with a timestamp before `before`, with their observations, scores and media
        links, plus up to `limit` trace-less scores (session, dataset run) from before it, in one transaction.
        Media that only the deleted traces referred to is forgotten; its ids are returned so the caller removes the
        bytes. An empty report means nothing older is left."""
        ...

    async def reclaim_space(self, full: bool = False) -> None:
        """Give pages freed by deletes back to the disk where the backend needs to be asked (SQLite); `full` rewrites
        the whole file (VACUUM: needs free space as large as the file and holds up writes while it runs)."""
        ...


class ContentStore(Protocol):
    async def contents(self, project_id: str, table: str, ids: Sequence[str]) -> dict[str, Content]:
        """Input, output and metadata (decoded JSON) of the `table` ("traces" or "observations") rows with these ids,
        for exports that page through the UI lists and need the whole content, not the previews."""
        ...


class ScoreConfigStore(Protocol):
    """Score configs (domain/score_configs.py), per project."""

    async def save_score_config(self, config: ScoreConfig) -> None:
        """Insert the config, or replace the stored one with the same id."""
        ...

    async def get_score_config(self, project_id: str, config_id: str) -> ScoreConfig:
        """Raises NotFound."""
        ...

    async def list_score_configs(self, project_id: str, page: PageRequest) -> Page[ScoreConfig]:
        """Archived ones too, newest first."""
        ...


class AnnotationQueueStore(Protocol):
    """Annotation queues, their items and assignments (domain/annotation.py), per project."""

    async def create_queue(self, queue: AnnotationQueue) -> None:
        """Raises Conflict when the project has a queue of that name."""
        ...

    async def get_queue(self, project_id: str, queue_id: str) -> AnnotationQueue:
        """Raises NotFound."""
        ...

    async def list_queues(self, project_id: str, page: PageRequest) -> Page[AnnotationQueue]:
        """Newest first."""
        ...

    async def save_queue_item(self, item: QueueItem) -> None:
        """Insert the item, or replace the stored one with the same id (a status change)."""
        ...

    async def get_queue_item(self, project_id: str, queue_id: str, item_id: str) -> QueueItem:
        """Raises NotFound."""
        ...

    async def list_queue_items(
        self, project_id: str, queue_id: str, status: QueueItemStatus | None, page: PageRequest
    ) -> Page[QueueItem]:
        """Oldest first (the order they are worked through)."""
        ...

    async def delete_queue_item(self, project_id: str, queue_id: str, item_id: str) -> None:
        """Raises NotFound."""
        ...

    async def queue_item_counts(self, project_id: str) -> dict[str, dict[QueueItemStatus, int]]:
        """Per queue id with items: how many are in each status."""
        ...

    async def set_queue_assignment(self, project_id: str, queue_id: str, user_id: str, assigned: bool) -> None:
        """Assign the user to the queue (repeats are harmless) or take the assignment away."""
        ...

    async def list_queue_assignments(self, project_id: str, queue_id: str) -> list[str]:
        """User ids assigned to the queue, sorted."""
        ...


class CommentStore(Protocol):
    """Comments (domain/comments.py), per project, and the existence check both comments and queue items need."""

    async def create_comment(self, comment: Comment) -> None: ...

    async def get_comment(self, project_id: str, comment_id: str) -> Comment:
        """Raises NotFound."""
        ...

    async def list_comments(
        self,
        project_id: str,
        object_type: CommentObjectType | None,
        object_id: str | None,
        author_user_id: str | None,
        page: PageRequest,
    ) -> Page[Comment]:
        """Oldest first (a thread reads top to bottom)."""
        ...

    async def object_exists(self, project_id: str, object_type: str, object_id: str) -> bool:
        """Whether the project holds the TRACE, OBSERVATION, SESSION (a session id on some trace) or PROMPT (a
        prompt version id) `object_id`."""
        ...


class EvaluationStore(ScoreConfigStore, AnnotationQueueStore, CommentStore, Protocol):
    """Score configs, annotation queues and comments; `Store.evaluation` gives a backend's."""


class DatasetStore(Protocol):
    """Datasets, their items (with every past state, for versioned reads), runs and run items. Every call is scoped to
    one project id; writes are transactions of their own. Raises NotFound for a missing dataset, item or run."""

    async def create_dataset(self, project_id: str, new: NewDataset) -> Dataset:
        """Create the dataset named `new.name`, or update its description, metadata and schemas (those given)."""
        ...

    async def get_dataset(self, project_id: str, name: str) -> Dataset: ...

    async def get_dataset_by_id(self, project_id: str, dataset_id: str) -> Dataset: ...

    async def list_datasets(self, project_id: str, page: PageRequest) -> Page[DatasetSummary]:
        """Newest first, with item and run counts."""
        ...

    async def upsert_dataset_item(self, project_id: str, upsert: ItemUpsert) -> DatasetItem:
        """Create the item (a new id, or none: the store makes one) in `upsert.dataset_name`, or update the fields
        `upsert` sets on a known id. InvalidDataset when the id belongs to another dataset. Every write is kept as a
        version: the item as it is now is what `list_dataset_items(version=now)` answers later."""
        ...

    async def get_dataset_item(self, project_id: str, item_id: str) -> DatasetItem: ...

    async def list_dataset_items(self, project_id: str, flt: ItemFilter, page: PageRequest) -> Page[DatasetItem]:
        """Items matching `flt`, newest first; with `flt.version`, the items as they were at that time."""
        ...

    async def delete_dataset_item(self, project_id: str, item_id: str) -> None:
        """Delete the item and its run items (versioned reads before now still see it)."""
        ...

    async def link_run_item(self, project_id: str, link: RunItemLink) -> DatasetRunItem:
        """Link an item to a trace in a run of the item's dataset, creating the run on first use (a description or
        metadata given updates it). Linking the same item and trace again updates that run item."""
        ...

    async def link_experiment_items(self, project_id: str, links: Sequence[RunItemLink]) -> int:
        """`link_run_item` for links decoded from experiment spans; links to unknown items or to an item of another
        dataset than `link.dataset_id` are skipped. Returns the number linked."""
        ...

    async def list_dataset_runs(self, project_id: str, dataset_name: str, page: PageRequest) -> Page[DatasetRun]:
        """Newest first, with their item counts."""
        ...

    async def get_dataset_run(self, project_id: str, dataset_name: str, run_name: str) -> DatasetRun: ...

    async def delete_dataset_run(self, project_id: str, dataset_name: str, run_name: str) -> None: ...

    async def list_run_items(self, project_id: str, run_id: str, page: PageRequest) -> Page[DatasetRunItem]:
        """Oldest first."""
        ...

    async def compare_runs(
        self, project_id: str, dataset_name: str, run_ids: Sequence[str], sort_score: str | None, page: PageRequest
    ) -> RunComparison:
        """The runs side by side: aggregates per run over all its items, and one page of the dataset's items with
        each run's output, latency, cost and scores. Runs oldest first; no `run_ids`: the five newest runs. With
        `sort_score`, items are ordered by that score's change from the oldest to the newest run, largest first."""
        ...

    async def list_experiments(self, project_id: str, query: ExperimentQuery) -> CursorPage[Experiment]:
        """Langfuse's experiments: the runs with items started in the query's window, with their first and last item
        time and item count there, latest activity first."""
        ...

    async def list_experiment_items(self, project_id: str, query: ExperimentQuery) -> CursorPage[ExperimentItem]:
        """Langfuse's experiment items: the run items started in the query's window, newest first."""
        ...
