"""Dataset and experiment storage shared by both SQL backends: each operation is a generator that yields `Sql`
statements (written once, in the SQL both SQLite and PostgreSQL accept, with `?` placeholders) and receives their
rows, so the SQLite backend runs it on its writer or reader thread and the PostgreSQL one on its async pool
(store/sqlite/datasets.py, store/postgres/datasets.py). The backend supplies a `Dialect` for the few differences;
store/dataset_store.py turns the operations into the DatasetStore both backends hand out.

Times go in as aware datetimes and come back as whatever the backend stores (integer microseconds or timestamptz);
`_when` reads both. JSON values are TEXT in both backends.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

import orjson

from spyglass.domain.datasets import (
    Dataset,
    DatasetItem,
    DatasetRun,
    DatasetRunItem,
    DatasetStatus,
    DatasetSummary,
    InvalidDataset,
    ItemFilter,
    ItemUpsert,
    NewDataset,
    RunItemLink,
)
from spyglass.store.base import NotFound, Page, PageRequest

T = TypeVar("T")
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Sql:
    text: str
    params: tuple[Any, ...] = ()


# An operation: yields statements, receives each one's rows, returns its result.
Program = Generator[Sql, list[Row], T]


@dataclass(frozen=True, slots=True)
class Dialect:
    """`seconds`: an SQL expression for the seconds between two stored times (placeholders `{a}` and `{b}`)."""

    seconds: str


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _when(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return _EPOCH + timedelta(microseconds=int(value))


def maybe_when(value: Any) -> datetime | None:
    return None if value is None else _when(value)


def _dump(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _load(text: Any) -> Any:
    return None if text is None else orjson.loads(text)


def marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


# --- row converters ---


def _dataset(row: Row) -> Dataset:
    return Dataset(
        id=row["id"], project_id=row["project_id"], name=row["name"], description=row["description"],
        metadata=_load(row["metadata"]), input_schema=_load(row["input_schema"]),
        expected_output_schema=_load(row["expected_output_schema"]), created_at=_when(row["created_at"]),
        updated_at=_when(row["updated_at"]),
    )  # fmt: skip


def _item(row: Row) -> DatasetItem:
    return DatasetItem(
        id=row["id"], project_id=row["project_id"], dataset_id=row["dataset_id"], dataset_name=row["dataset_name"],
        status=DatasetStatus(row["status"]), input=_load(row["input"]), expected_output=_load(row["expected_output"]),
        metadata=_load(row["metadata"]), source_trace_id=row["source_trace_id"],
        source_observation_id=row["source_observation_id"], created_at=_when(row["created_at"]),
        updated_at=_when(row["updated_at"]),
    )  # fmt: skip


def run_from_row(row: Row) -> DatasetRun:
    return DatasetRun(
        id=row["id"], project_id=row["project_id"], dataset_id=row["dataset_id"], dataset_name=row["dataset_name"],
        name=row["name"], description=row["description"], metadata=_load(row["metadata"]),
        created_at=_when(row["created_at"]), updated_at=_when(row["updated_at"]), item_count=int(row["item_count"]),
    )  # fmt: skip


def _run_item(row: Row) -> DatasetRunItem:
    return DatasetRunItem(
        id=row["id"], project_id=row["project_id"], dataset_run_id=row["run_id"], dataset_run_name=row["run_name"],
        dataset_item_id=row["dataset_item_id"], trace_id=row["trace_id"], observation_id=row["observation_id"],
        created_at=_when(row["created_at"]), updated_at=_when(row["updated_at"]),
    )  # fmt: skip


# --- datasets ---


def get_dataset(project_id: str, name: str) -> Program[Dataset]:
    rows = yield Sql("SELECT * FROM datasets WHERE project_id = ? AND name = ?", (project_id, name))
    if not rows:
        raise NotFound(f"dataset {name!r} not found")
    return _dataset(rows[0])


def get_dataset_by_id(project_id: str, dataset_id: str) -> Program[Dataset]:
    rows = yield Sql("SELECT * FROM datasets WHERE project_id = ? AND id = ?", (project_id, dataset_id))
    if not rows:
        raise NotFound(f"dataset with id {dataset_id!r} not found")
    return _dataset(rows[0])


def create_dataset(project_id: str, new: NewDataset, now: datetime) -> Program[Dataset]:
    yield Sql(
        "INSERT INTO datasets (project_id, id, name, description, metadata, input_schema, expected_output_schema,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (project_id, name) DO UPDATE SET"
        " description = coalesce(excluded.description, datasets.description),"
        " metadata = coalesce(excluded.metadata, datasets.metadata),"
        " input_schema = coalesce(excluded.input_schema, datasets.input_schema),"
        " expected_output_schema = coalesce(excluded.expected_output_schema, datasets.expected_output_schema),"
        " updated_at = excluded.updated_at",
        (project_id, str(uuid.uuid4()), new.name, new.description, _dump(new.metadata), _dump(new.input_schema),
         _dump(new.expected_output_schema), now, now),
    )  # fmt: skip
    return (yield from get_dataset(project_id, new.name))


def list_datasets(project_id: str, page: PageRequest) -> Program[Page[DatasetSummary]]:
    total = yield Sql("SELECT count(*) AS n FROM datasets WHERE project_id = ?", (project_id,))
    rows = yield Sql(
        "SELECT d.*,"
        " (SELECT count(*) FROM dataset_items i WHERE i.project_id = d.project_id AND i.dataset_id = d.id) AS items,"
        " (SELECT count(*) FROM dataset_runs r WHERE r.project_id = d.project_id AND r.dataset_id = d.id) AS runs,"
        " (SELECT max(r.created_at) FROM dataset_runs r WHERE r.project_id = d.project_id AND r.dataset_id = d.id)"
        " AS last_run FROM datasets d WHERE d.project_id = ? ORDER BY d.created_at DESC, d.id LIMIT ? OFFSET ?",
        (project_id, page.limit, page.offset),
    )
    items = tuple(DatasetSummary(_dataset(r), int(r["items"]), int(r["runs"]), maybe_when(r["last_run"])) for r in rows)
    return Page(items=items, total=int(total[0]["n"]), page=page.page, limit=page.limit)


# --- items ---

_ITEM_SELECT = (
    "SELECT i.*, d.name AS dataset_name FROM dataset_items i"
    " JOIN datasets d ON d.project_id = i.project_id AND d.id = i.dataset_id"
)


def get_dataset_item(project_id: str, item_id: str) -> Program[DatasetItem]:
    rows = yield Sql(f"{_ITEM_SELECT} WHERE i.project_id = ? AND i.id = ?", (project_id, item_id))
    if not rows:
        raise NotFound(f"dataset item {item_id!r} not found")
    return _item(rows[0])


def _write_version(item: DatasetItem, now: datetime, *, deleted: bool = False) -> Sql:
    return Sql(
        "INSERT INTO dataset_item_versions (project_id, item_id, valid_from, dataset_id, deleted, status, input,"
        " expected_output, metadata, source_trace_id, source_observation_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, item_id, valid_from) DO UPDATE SET"
        " deleted = excluded.deleted, status = excluded.status, input = excluded.input,"
        " expected_output = excluded.expected_output, metadata = excluded.metadata,"
        " source_trace_id = excluded.source_trace_id, source_observation_id = excluded.source_observation_id",
        (item.project_id, item.id, now, item.dataset_id, 1 if deleted else 0, item.status.value, _dump(item.input),
         _dump(item.expected_output), _dump(item.metadata), item.source_trace_id, item.source_observation_id,
         item.created_at),
    )  # fmt: skip


def upsert_dataset_item(project_id: str, upsert: ItemUpsert, now: datetime) -> Program[DatasetItem]:
    existing: DatasetItem | None = None
    if upsert.id is not None:
        try:
            existing = yield from get_dataset_item(project_id, upsert.id)
        except NotFound:
            existing = None
    if existing is not None and existing.dataset_name != upsert.dataset_name:
        raise InvalidDataset(
            f"the dataset item id {upsert.id!r} belongs to the dataset {existing.dataset_name!r}; ids are unique per "
            "project and cannot move to another dataset"
        )
    dataset = yield from get_dataset(project_id, upsert.dataset_name)
    f = upsert.fields
    base = existing or DatasetItem(
        id=upsert.id or str(uuid.uuid4()), project_id=project_id, dataset_id=dataset.id, dataset_name=dataset.name,
        status=DatasetStatus.ACTIVE, input=None, expected_output=None, metadata=None, source_trace_id=None,
        source_observation_id=None, created_at=now, updated_at=now,
    )  # fmt: skip
    item = DatasetItem(
        id=base.id, project_id=project_id, dataset_id=dataset.id, dataset_name=dataset.name,
        status=f.get("status", base.status), input=f.get("input", base.input),
        expected_output=f.get("expected_output", base.expected_output), metadata=f.get("metadata", base.metadata),
        source_trace_id=f.get("source_trace_id", base.source_trace_id),
        source_observation_id=f.get("source_observation_id", base.source_observation_id),
        created_at=base.created_at, updated_at=now,
    )  # fmt: skip
    yield Sql(
        "INSERT INTO dataset_items (project_id, id, dataset_id, status, input, expected_output, metadata,"
        " source_trace_id, source_observation_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (project_id, id) DO UPDATE SET status = excluded.status, input = excluded.input,"
        " expected_output = excluded.expected_output, metadata = excluded.metadata,"
        " source_trace_id = excluded.source_trace_id, source_observation_id = excluded.source_observation_id,"
        " updated_at = excluded.updated_at",
        (project_id, item.id, item.dataset_id, item.status.value, _dump(item.input), _dump(item.expected_output),
         _dump(item.metadata), item.source_trace_id, item.source_observation_id, item.created_at, now),
    )  # fmt: skip
    yield _write_version(item, now)
    return item


def list_dataset_items(project_id: str, flt: ItemFilter, page: PageRequest) -> Program[Page[DatasetItem]]:
    clauses = ["i.project_id = ?"]
    params: list[Any] = [project_id]
    dataset: Dataset | None = None
    if flt.dataset_name is not None:
        dataset = yield from get_dataset(project_id, flt.dataset_name)
        clauses.append("i.dataset_id = ?")
        params.append(dataset.id)
    if flt.source_trace_id is not None:
        clauses.append("i.source_trace_id = ?")
        params.append(flt.source_trace_id)
    if flt.source_observation_id is not None:
        clauses.append("i.source_observation_id = ?")
        params.append(flt.source_observation_id)
    if flt.status is not None:
        clauses.append("i.status = ?")
        params.append(flt.status.value)
    if flt.version is not None:
        if dataset is None:
            raise InvalidDataset("version needs datasetName")
        # The state of each item current at `version`: its newest version row at or before it, unless a delete.
        source = (
            "(SELECT v.project_id, v.item_id AS id, v.dataset_id, v.status, v.input, v.expected_output, v.metadata,"
            " v.source_trace_id, v.source_observation_id, v.created_at, v.valid_from AS updated_at, v.deleted"
            " FROM dataset_item_versions v WHERE v.project_id = ? AND v.dataset_id = ? AND v.valid_from = ("
            "SELECT max(w.valid_from) FROM dataset_item_versions w WHERE w.project_id = v.project_id"
            " AND w.item_id = v.item_id AND w.valid_from <= ?)) i"
        )
        clauses.append("i.deleted = 0")
        params = [project_id, dataset.id, flt.version, *params]
    else:
        source = "dataset_items i"
    where = " AND ".join(clauses)
    total = yield Sql(f"SELECT count(*) AS n FROM {source} WHERE {where}", tuple(params))
    rows = yield Sql(
        f"SELECT i.*, d.name AS dataset_name FROM {source} JOIN datasets d ON d.project_id = i.project_id"
        f" AND d.id = i.dataset_id WHERE {where} ORDER BY i.created_at DESC, i.id LIMIT ? OFFSET ?",
        (*params, page.limit, page.offset),
    )
    return Page(items=tuple(_item(r) for r in rows), total=int(total[0]["n"]), page=page.page, limit=page.limit)


def delete_dataset_item(project_id: str, item_id: str, now: datetime) -> Program[None]:
    item = yield from get_dataset_item(project_id, item_id)
    yield Sql("DELETE FROM dataset_run_items WHERE project_id = ? AND dataset_item_id = ?", (project_id, item_id))
    yield Sql("DELETE FROM dataset_items WHERE project_id = ? AND id = ?", (project_id, item_id))
    yield _write_version(item, now, deleted=True)


# --- runs ---

RUN_SELECT = (
    "SELECT r.*, d.name AS dataset_name, (SELECT count(*) FROM dataset_run_items x WHERE x.project_id = r.project_id"
    " AND x.run_id = r.id) AS item_count FROM dataset_runs r"
    " JOIN datasets d ON d.project_id = r.project_id AND d.id = r.dataset_id"
)


def _run_by_name(project_id: str, dataset_id: str, name: str) -> Program[DatasetRun | None]:
    rows = yield Sql(
        f"{RUN_SELECT} WHERE r.project_id = ? AND r.dataset_id = ? AND r.name = ?", (project_id, dataset_id, name)
    )
    return run_from_row(rows[0]) if rows else None


def _ensure_run(project_id: str, dataset_id: str, link: RunItemLink, now: datetime) -> Program[DatasetRun]:
    run: DatasetRun | None = None
    if link.run_id is not None:
        rows = yield Sql(f"{RUN_SELECT} WHERE r.project_id = ? AND r.id = ?", (project_id, link.run_id))
        run = run_from_row(rows[0]) if rows and rows[0]["dataset_id"] == dataset_id else None
    if run is None:
        run = yield from _run_by_name(project_id, dataset_id, link.run_name)
    if run is None:
        yield Sql(
            "INSERT INTO dataset_runs (project_id, id, dataset_id, name, description, metadata, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (project_id, link.run_id or str(uuid.uuid4()), dataset_id, link.run_name, link.run_description,
             _dump(link.run_metadata), now, now),
        )  # fmt: skip
        run = yield from _run_by_name(project_id, dataset_id, link.run_name)
        if run is None:  # the client's run id is taken by a run of another dataset
            raise InvalidDataset(f"the run id {link.run_id!r} belongs to a run of another dataset")
    elif link.run_description is not None or link.run_metadata is not None:
        yield Sql(
            "UPDATE dataset_runs SET description = coalesce(?, description), metadata = coalesce(?, metadata),"
            " updated_at = ? WHERE project_id = ? AND id = ?",
            (link.run_description, _dump(link.run_metadata), now, project_id, run.id),
        )
    return run


def link_run_item(project_id: str, link: RunItemLink, now: datetime) -> Program[DatasetRunItem]:
    item = yield from get_dataset_item(project_id, link.dataset_item_id)
    trace_id = link.trace_id
    if not trace_id and link.observation_id is not None:
        rows = yield Sql(
            "SELECT trace_id FROM observations WHERE project_id = ? AND id = ?", (project_id, link.observation_id)
        )
        if not rows:
            raise InvalidDataset(
                f"traceId is required: no observation {link.observation_id!r} is stored to take it from"
            )
        trace_id = rows[0]["trace_id"]
    run = yield from _ensure_run(project_id, item.dataset_id, link, now)
    yield Sql(
        "INSERT INTO dataset_run_items (project_id, id, run_id, dataset_item_id, trace_id, observation_id,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (project_id, run_id, dataset_item_id, trace_id) DO UPDATE SET"
        " observation_id = coalesce(excluded.observation_id, dataset_run_items.observation_id),"
        " updated_at = excluded.updated_at",
        (project_id, str(uuid.uuid4()), run.id, item.id, trace_id, link.observation_id, link.created_at or now, now),
    )  # fmt: skip
    rows = yield Sql(
        "SELECT x.*, r.name AS run_name FROM dataset_run_items x JOIN dataset_runs r ON r.project_id = x.project_id"
        " AND r.id = x.run_id WHERE x.project_id = ? AND x.run_id = ? AND x.dataset_item_id = ? AND x.trace_id = ?",
        (project_id, run.id, item.id, trace_id),
    )
    return _run_item(rows[0])


def link_experiment_items(project_id: str, links: Sequence[RunItemLink], now: datetime) -> Program[int]:
    linked = 0
    for link in links:
        try:
            item = yield from get_dataset_item(project_id, link.dataset_item_id)
        except NotFound:
            continue
        if link.dataset_id is not None and item.dataset_id != link.dataset_id:
            continue
        try:
            yield from link_run_item(project_id, link, now)
        except InvalidDataset:
            continue
        linked += 1
    return linked


def list_dataset_runs(project_id: str, dataset_name: str, page: PageRequest) -> Program[Page[DatasetRun]]:
    dataset = yield from get_dataset(project_id, dataset_name)
    total = yield Sql(
        "SELECT count(*) AS n FROM dataset_runs WHERE project_id = ? AND dataset_id = ?", (project_id, dataset.id)
    )
    rows = yield Sql(
        f"{RUN_SELECT} WHERE r.project_id = ? AND r.dataset_id = ? ORDER BY r.created_at DESC, r.id LIMIT ? OFFSET ?",
        (project_id, dataset.id, page.limit, page.offset),
    )
    return Page(items=tuple(run_from_row(r) for r in rows), total=int(total[0]["n"]), page=page.page, limit=page.limit)


def get_dataset_run(project_id: str, dataset_name: str, run_name: str) -> Program[DatasetRun]:
    dataset = yield from get_dataset(project_id, dataset_name)
    run = yield from _run_by_name(project_id, dataset.id, run_name)
    if run is None:
        raise NotFound(f"dataset run {run_name!r} not found in dataset {dataset_name!r}")
    return run


def delete_dataset_run(project_id: str, dataset_name: str, run_name: str) -> Program[None]:
    run = yield from get_dataset_run(project_id, dataset_name, run_name)
    yield Sql("DELETE FROM dataset_run_items WHERE project_id = ? AND run_id = ?", (project_id, run.id))
    yield Sql("DELETE FROM dataset_runs WHERE project_id = ? AND id = ?", (project_id, run.id))


def list_run_items(project_id: str, run_id: str, page: PageRequest) -> Program[Page[DatasetRunItem]]:
    total = yield Sql(
        "SELECT count(*) AS n FROM dataset_run_items WHERE project_id = ? AND run_id = ?", (project_id, run_id)
    )
    rows = yield Sql(
        "SELECT x.*, r.name AS run_name FROM dataset_run_items x JOIN dataset_runs r ON r.project_id = x.project_id"
        " AND r.id = x.run_id WHERE x.project_id = ? AND x.run_id = ? ORDER BY x.created_at, x.id LIMIT ? OFFSET ?",
        (project_id, run_id, page.limit, page.offset),
    )
    return Page(items=tuple(_run_item(r) for r in rows), total=int(total[0]["n"]), page=page.page, limit=page.limit)


class Runner(Protocol):
    """Runs the operation `make` returns to its end on the backend (a read, or a write in one transaction; a backend
    that retries a transaction calls `make` again)."""

    async def __call__(self, make: Callable[[], Program[T]]) -> T: ...
