"""The one storage interface every backend meets. Its docstrings are the spec.

Arguments and results are domain types and small filter dataclasses, never SQL. Times are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from spyglass.domain.accounts import Membership, User
from spyglass.domain.annotation import AnnotationQueue, QueueItem, QueueItemStatus
from spyglass.domain.comments import Comment, CommentObjectType
from spyglass.domain.costs import CostGroup, CostRollup, DailyMetrics, RecomputeReport
from spyglass.domain.cursor_pages import CursorPage, Keyset, ObservationQuery, ScoreQuery, TracedObservation
from spyglass.domain.dashboards import Dashboard
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
from spyglass.domain.events import Event
from spyglass.domain.experiments import Experiment, ExperimentItem, ExperimentQuery
from spyglass.domain.filters import Condition
from spyglass.domain.lifecycle import DataPolicy, PurgeReport
from spyglass.domain.listing import (
    Cursor,
    GenerationQuery,
    GenerationRow,
    RowPage,
    ScoreBadge,
    ScoreDistribution,
    TraceQuery,
    TraceRow,
    UserSummary,
)
from spyglass.domain.media import Media, MediaLink
from spyglass.domain.metrics import MetricsQuery, MetricsRow
from spyglass.domain.model import (
    ApiKey,
    Observation,
    Project,
    Score,
    Session,
    SessionDetail,
    Trace,
    TraceDetail,
)
from spyglass.domain.pricing import ModelDefinition
from spyglass.domain.prompts import NewPrompt, Prompt, PromptFilter, PromptGeneration, PromptMeta, PromptUsage
from spyglass.domain.score_configs import ScoreConfig

T = TypeVar("T")

# input, output, metadata
Content = tuple[Any, Any, Any]


class NotFound(LookupError):
    """The entity does not exist in this project."""


class NotSupported(NotImplementedError):
    """This backend does not offer the capability."""


class Unavailable(ConnectionError):
    """The store cannot be reached right now (a database server restarting, say); the same call may succeed later."""


class Conflict(ValueError):
    """The write contradicts stored state (a duplicate name, say)."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int
    page: int
    limit: int

    @property
    def total_pages(self) -> int:
        return (self.total + self.limit - 1) // self.limit if self.limit else 0


@dataclass(frozen=True, slots=True)
class TraceFilter:
    user_id: str | None = None
    name: str | None = None
    session_id: str | None = None
    tags: tuple[str, ...] = ()
    from_timestamp: datetime | None = None
    to_timestamp: datetime | None = None
    version: str | None = None
    release: str | None = None
    environments: tuple[str, ...] = ()
    order_by: str = "timestamp"
    descending: bool = True
    conditions: tuple[Condition, ...] = ()  # the structured `filter` parameter


@dataclass(frozen=True, slots=True)
class ObservationFilter:
    trace_id: str | None = None
    type: str | None = None
    name: str | None = None
    user_id: str | None = None
    level: str | None = None
    parent_observation_id: str | None = None
    from_start_time: datetime | None = None
    to_start_time: datetime | None = None
    version: str | None = None
    environments: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class ScoreFilter:
    trace_id: str | None = None
    observation_id: str | None = None
    session_id: str | None = None
    name: str | None = None
    user_id: str | None = None
    source: str | None = None
    data_type: str | None = None
    from_timestamp: datetime | None = None
    to_timestamp: datetime | None = None
    score_ids: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    config_id: str | None = None
    dataset_run_id: str | None = None
    trace_tags: tuple[str, ...] = ()
    value_operator: str | None = None  # with `value`: one of = > < >= <= != (Langfuse's `operator` parameter)
    value: float | None = None
    conditions: tuple[Condition, ...] = ()
    queue_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SessionFilter:
    from_timestamp: datetime | None = None
    to_timestamp: datetime | None = None
    environments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int = 1
    limit: int = 50

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@dataclass(frozen=True, slots=True)
class WriteStats:
    """What one `write` call changed, for logs and benchmarks."""

    traces: int = 0
    observations: int = 0
    scores: int = 0
    deleted: int = 0
    touched_trace_ids: frozenset[tuple[str, str]] = field(default_factory=frozenset)


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


class Store(MediaStore, LifecycleStore, ContentStore, Protocol):
    """A Spyglass store. Every read and write is scoped to one project id."""

    @property
    def evaluation(self) -> EvaluationStore:
        """Score configs, annotation queues and comments in this store."""
        ...

    @property
    def datasets(self) -> DatasetStore:
        """Datasets and experiments (a protocol of their own)."""
        ...

    async def migrate(self) -> list[str]:
        """Apply pending numbered migrations; return the names applied (empty when up to date)."""
        ...

    async def close(self) -> None: ...

    async def write(self, events: Sequence[Event]) -> WriteStats:
        """Fold `events` into the stored records and make them durable before returning.

        Upserts fold by id as domain/merge.py says, so any order and any repetition give the same records. An
        observation whose trace is missing creates it. Trace roll-ups (counts, latency, cost, tokens, level) are
        brought up to date in the same transaction. Deletes remove a trace with its observations and scores.
        """
        ...

    # projects and keys
    async def create_project(self, name: str) -> Project: ...

    async def list_projects(self) -> list[Project]: ...

    async def get_project(self, project_id: str) -> Project:
        """Raises NotFound."""
        ...

    async def create_api_key(self, key: ApiKey) -> None:
        """Store a key; raises Conflict when the public key exists."""
        ...

    async def list_api_keys(self, project_id: str | None = None) -> list[ApiKey]: ...

    async def find_api_key(self, public_key: str) -> ApiKey | None:
        """The key with this public key, revoked or not; None when unknown."""
        ...

    async def revoke_api_key(self, public_key: str) -> None:
        """Raises NotFound."""
        ...

    # reads
    async def get_trace(self, project_id: str, trace_id: str) -> TraceDetail:
        """The trace with its observations (by start time) and scores. Raises NotFound."""
        ...

    async def list_traces(self, project_id: str, flt: TraceFilter, page: PageRequest) -> Page[Trace]:
        """Traces without their input/output-heavy children, newest first unless `flt` orders otherwise."""
        ...

    async def child_ids(self, project_id: str, trace_ids: Sequence[str]) -> dict[str, tuple[list[str], list[str]]]:
        """Per trace id: (observation ids by start time, score ids by timestamp); traces without children omitted."""
        ...

    async def get_observation(self, project_id: str, observation_id: str) -> Observation:
        """Raises NotFound."""
        ...

    async def list_observations(
        self, project_id: str, flt: ObservationFilter, page: PageRequest
    ) -> Page[Observation]: ...

    async def get_score(self, project_id: str, score_id: str) -> Score:
        """Raises NotFound."""
        ...

    async def list_scores(self, project_id: str, flt: ScoreFilter, page: PageRequest) -> Page[Score]: ...

    async def get_session(self, project_id: str, session_id: str) -> SessionDetail:
        """The session with its traces, oldest first. Raises NotFound."""
        ...

    async def list_sessions(self, project_id: str, flt: SessionFilter, page: PageRequest) -> Page[Session]: ...

    # cursor-paged public reads (GET /api/public/v2/observations, /v3/scores; see domain/cursor_pages.py)
    async def list_observations_v2(
        self, project_id: str, query: ObservationQuery, after: Keyset | None, limit: int
    ) -> CursorPage[TracedObservation]:
        """Observations matching `query`, newest start time first (id breaks ties), strictly after `after`, with
        their trace's name, user, session, tags and release. Raises NotSupported for a filter it cannot apply."""
        ...

    async def list_scores_v3(
        self, project_id: str, query: ScoreQuery, after: Keyset | None, limit: int
    ) -> CursorPage[Score]:
        """Scores matching `query`, newest timestamp first (id breaks ties), strictly after `after`."""
        ...

    # prompts (writes are serialised: concurrent creates get distinct versions and exactly one `latest`)
    async def create_prompt(self, project_id: str, new: NewPrompt) -> Prompt:
        """Store the next version of `new.name` (1 for a new name) with `new.labels` plus `latest`, moving those
        labels off other versions. Tags, when given, replace the prompt's tags (they are shared by all versions)."""
        ...

    async def get_prompt(
        self, project_id: str, name: str, *, version: int | None = None, label: str | None = None
    ) -> Prompt:
        """The version numbered `version`, else the one holding `label`. Raises NotFound."""
        ...

    async def list_prompts(self, project_id: str, flt: PromptFilter, page: PageRequest) -> Page[PromptMeta]:
        """Prompts with any version matching `flt`, most recently updated first; versions ascending."""
        ...

    async def update_prompt_labels(
        self, project_id: str, name: str, version: int, add: Sequence[str], remove: Sequence[str] = ()
    ) -> Prompt:
        """Put `add` on the version (moving each off the version that had it) and take `remove` off it. `latest` is
        never moved or removed by hand: InvalidPrompt when `add` puts it on an older version. Raises NotFound."""
        ...

    async def delete_prompts(
        self, project_id: str, name: str, *, version: int | None = None, label: str | None = None
    ) -> int:
        """Delete one version (by number or label) or, with neither, the whole prompt; `latest` moves to the newest
        version left. Returns the number of versions deleted; raises NotFound when none matched."""
        ...

    async def prompt_usage(self, project_id: str, name: str, version: int) -> PromptUsage:
        """Roll-up of the generations linked to the version (count, latency in s, tokens, cost, scores). Raises
        NotFound when the version does not exist and no generation names it."""
        ...

    async def list_prompt_generations(
        self, project_id: str, name: str, version: int, page: PageRequest
    ) -> Page[PromptGeneration]:
        """Generations linked to the version, newest first, with their scores and their traces' scores."""
        ...

    async def prompt_generation_counts(self, project_id: str, names: Sequence[str]) -> dict[tuple[str, int], int]:
        """How many generations name each (prompt name, version) of `names`; pairs without any are left out."""
        ...

    async def integrity_check(self) -> str:
        """The backend's own consistency check; 'ok' when healthy."""
        ...

    # model prices and cost roll-ups (domain/pricing.py, domain/costs.py)
    async def list_models(self, project_id: str, page: PageRequest) -> Page[ModelDefinition]:
        """The project's own price definitions (newest first), then the built-in ones by model name."""
        ...

    async def get_model(self, project_id: str, model_id: str) -> ModelDefinition:
        """A project or built-in definition by id. Raises NotFound."""
        ...

    async def create_model(self, project_id: str, definition: ModelDefinition) -> ModelDefinition:
        """Store a project definition under a new id and creation time; writes after this call price with it.
        Costs already stored stay as they are until `recompute_costs`."""
        ...

    async def delete_model(self, project_id: str, model_id: str) -> None:
        """Raises NotFound for an unknown id, Conflict for a built-in definition."""
        ...

    async def replace_model(self, project_id: str, model_id: str, definition: ModelDefinition) -> ModelDefinition:
        """Edit a project definition: in one transaction delete `model_id` and store `definition` under a new id
        and creation time (so every replica's price cache sees the change). NotFound and Conflict as delete_model."""
        ...

    async def daily_metrics(self, project_id: str, flt: TraceFilter, page: PageRequest) -> Page[DailyMetrics]:
        """UTC days (of the trace timestamp) with traces matching `flt`, newest first: trace and observation counts,
        cost (the sum of the traces' costs) and usage per model name (observations that have one)."""
        ...

    async def cost_rollups(
        self, project_id: str, group: CostGroup, flt: TraceFilter, limit: int = 100
    ) -> list[CostRollup]:
        """Cost and token totals of the traces matching `flt` per session, user, model, trace name or day, most
        expensive first."""
        ...

    async def run_metrics(self, project_id: str, query: MetricsQuery) -> list[MetricsRow]:
        """The rows of a metrics query (domain/metrics.py): one per group of its dimensions (and time bucket), at
        most `query.row_limit`, in its order. Buckets are UTC; weeks start on Monday; percentiles interpolate
        linearly between the nearest ranks; durations are milliseconds."""
        ...

    async def recompute_costs(
        self, since: datetime | None = None, model_pattern: str | None = None, dry_run: bool = False,
        *, until: datetime | None = None, project_id: str | None = None,
    ) -> RecomputeReport:  # fmt: skip
        """Re-price stored observations that have a model (started at or after `since` and before `until`; model
        name matching the regex `model_pattern`, case-insensitive) with the current definitions, in `project_id` or
        (None) every project. Client-sent costs and usage are kept. Changed rows and their traces' roll-ups are
        written in one transaction unless `dry_run`."""
        ...

    # custom dashboards (domain/dashboards.py)
    async def list_dashboards(self, project_id: str) -> list[Dashboard]:
        """The project's dashboards with their widgets, most recently updated first."""
        ...

    async def get_dashboard(self, project_id: str, dashboard_id: str) -> Dashboard:
        """Raises NotFound."""
        ...

    async def put_dashboard(self, dashboard: Dashboard) -> None:
        """Create the dashboard or replace its name, description, update time and every widget, in one
        transaction (its creation time is kept)."""
        ...

    async def delete_dashboard(self, project_id: str, dashboard_id: str) -> None:
        """Delete the dashboard and its widgets. Raises NotFound."""
        ...

    # accounts (web UI users, their roles per project, signed-in sessions; see domain/accounts.py)
    async def create_user(self, user: User) -> None:
        """Store a user; raises Conflict when the email exists."""
        ...

    async def count_users(self) -> int: ...

    async def find_user(self, email: str) -> User | None:
        """The user with this (normalised) email; None when unknown."""
        ...

    async def get_user(self, user_id: str) -> User:
        """Raises NotFound."""
        ...

    async def list_users(self) -> list[User]:
        """Every user, oldest first."""
        ...

    async def set_password(self, user_id: str, password_hash: str) -> None:
        """Replace the hash and end the user's signed-in sessions. Raises NotFound."""
        ...

    async def set_membership(self, membership: Membership) -> None:
        """Give the user the role in the project, replacing any role they had there."""
        ...

    async def list_memberships(self, user_id: str) -> list[Membership]: ...

    async def create_web_session(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        """Record a signed-in session by the hash of its token (expired ones are dropped on the way)."""
        ...

    async def web_session_user(self, token_hash: str) -> User | None:
        """The user of an unexpired session; None otherwise."""
        ...

    async def delete_web_session(self, token_hash: str) -> None: ...

    async def web_secret(self) -> str:
        """The key that signs cookies, made once by the migration and shared by every process on this store."""
        ...

    # UI lists (compact rows and keyset pages; see domain/listing.py)
    async def list_trace_rows(
        self, project_id: str, query: TraceQuery, cursor: Cursor | None, limit: int
    ) -> RowPage[TraceRow]:
        """Traces matching `query` in its order, strictly after `cursor`, with input/output previews and score
        badges. `query.search` matches any substring (3+ characters) of input or output."""
        ...

    async def list_generation_rows(
        self, project_id: str, query: GenerationQuery, cursor: Cursor | None, limit: int
    ) -> RowPage[GenerationRow]:
        """Generations matching `query` in its order, strictly after `cursor`, with previews."""
        ...

    async def list_recent_users(self, project_id: str, cursor: Cursor | None, limit: int) -> RowPage[UserSummary]:
        """One row per user id seen on traces, most recently seen first, strictly after `cursor` (keyset-paged)."""
        ...

    async def score_badges(self, project_id: str, trace_ids: Sequence[str]) -> dict[str, list[ScoreBadge]]:
        """Per trace id, one badge per score name (the mean of numeric values), by name."""
        ...

    async def score_distributions(
        self, project_id: str, name: str | None = None, source: str | None = None
    ) -> list[ScoreDistribution]:
        """Per score name (at most 50): count, mean and a histogram (numeric) or category counts."""
        ...

    async def session_score_badges(self, project_id: str, session_ids: Sequence[str]) -> dict[str, list[ScoreBadge]]:
        """Per session id, one badge per score name over the session's scores and its traces' scores."""
        ...

    async def list_recent_sessions(self, project_id: str, cursor: Cursor | None, limit: int) -> RowPage[Session]:
        """Sessions by their latest trace, newest first, strictly after `cursor` (keyset-paged)."""
        ...
