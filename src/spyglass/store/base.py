"""The one storage interface every backend meets. Its docstrings are the spec.

Arguments and results are domain types and small filter dataclasses, never SQL. Times are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from spyglass.domain.accounts import Membership, User
from spyglass.domain.costs import CostGroup, CostRollup, DailyMetrics, RecomputeReport
from spyglass.domain.cursor_pages import CursorPage, Keyset, ObservationQuery, ScoreQuery, TracedObservation
from spyglass.domain.dashboards import Dashboard
from spyglass.domain.events import Event
from spyglass.domain.filters import Condition
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
from spyglass.store.features import (
    AnnotationQueueStore as AnnotationQueueStore,
)
from spyglass.store.features import (
    CommentStore as CommentStore,
)
from spyglass.store.features import (
    Content as Content,
)
from spyglass.store.features import (
    ContentStore as ContentStore,
)
from spyglass.store.features import (
    DatasetStore as DatasetStore,
)
from spyglass.store.features import (
    EvaluationStore as EvaluationStore,
)
from spyglass.store.features import (
    LifecycleStore as LifecycleStore,
)
from spyglass.store.features import (  # re-exported: the rest of the project imports them from here
    MediaStore as MediaStore,
)
from spyglass.store.features import (
    ScoreConfigStore as ScoreConfigStore,
)

T = TypeVar("T")


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
