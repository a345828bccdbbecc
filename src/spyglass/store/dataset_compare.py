"""The run comparison of a dataset (the UI's compare page), as a shared operation of store/datasets.py: aggregates
per run over all its items, and one page of items with each run's output, latency, cost and scores."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import orjson

from spyglass.domain.datasets import (
    ComparedItem,
    Dataset,
    DatasetRun,
    RunAggregate,
    RunCell,
    RunComparison,
    score_delta,
)
from spyglass.store.base import PageRequest
from spyglass.store.datasets import (
    Dialect,
    Program,
    Row,
    Runner,
    Sql,
    get_dataset,
    marks,
    maybe_when,
    run_from_row,
)

COMPARE_DEFAULT_RUNS = 5
_PREVIEW = 400


def _preview(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    try:
        loaded = orjson.loads(text)
    except orjson.JSONDecodeError:
        return text[:_PREVIEW]  # cut inside a JSON value by the SQL preview: show it as it is
    return loaded[:_PREVIEW] if isinstance(loaded, str) else text[:_PREVIEW]


async def compare_runs(
    get: Runner, project_id: str, dataset_name: str, run_ids: Sequence[str], sort_score: str | None,
    page: PageRequest, dialect: Dialect,
) -> RunComparison:  # fmt: skip
    """See DatasetStore.compare_runs. The runs' aggregates (traces, scores) and the page of items are independent
    reads, run side by side (on SQLite's reader threads or PostgreSQL's pooled connections)."""
    dataset, available, runs = await get(lambda: _selection(project_id, dataset_name, run_ids))
    ids = [r.id for r in runs]
    totals_read = get(lambda: _run_totals(project_id, ids, dialect))
    scores_read = get(lambda: _run_scores(project_id, ids))
    page_read = get(lambda: _item_page(project_id, dataset.id, ids, sort_score, page))
    totals, (scores, run_scores), (total, item_rows, cells) = await asyncio.gather(totals_read, scores_read, page_read)
    aggregates = []
    for run in runs:
        t = totals.get(run.id)
        n = int(t["n"]) if t is not None else 0
        latency, cost = (t["latency"], t["cost"]) if t is not None else (None, None)
        aggregates.append(RunAggregate(
            run=replace(run, item_count=n), items=n, average_latency=float(latency) if latency is not None else None,
            total_cost=float(cost) if cost is not None else None, scores=dict(sorted(scores[run.id].items())),
            run_scores=dict(sorted(run_scores[run.id].items())),
        ))  # fmt: skip
    score_names = sorted({name for a in aggregates for name in a.scores})
    items = []
    for r in item_rows:
        row_cells = cells.get(r["id"], {})
        delta = score_delta(row_cells, ids[0], ids[-1], sort_score) if sort_score and len(ids) >= 2 else None
        items.append(ComparedItem(r["id"], _preview(r["input"]), _preview(r["expected"]), row_cells, delta))
    return RunComparison(dataset, tuple(aggregates), tuple(items), total, tuple(score_names), available)


def _selection(
    project_id: str, dataset_name: str, run_ids: Sequence[str]
) -> Program[tuple[Dataset, tuple[DatasetRun, ...], list[DatasetRun]]]:
    """The dataset, every run of it (newest first, item counts left 0) and the compared ones, oldest first (the score
    change is the newest run's minus the oldest's); no `run_ids`: the newest five."""
    dataset = yield from get_dataset(project_id, dataset_name)
    rows = yield Sql(
        "SELECT r.*, 0 AS item_count FROM dataset_runs r WHERE r.project_id = ? AND r.dataset_id = ?"
        " ORDER BY r.created_at DESC, r.id",
        (project_id, dataset.id),
    )
    available = tuple(run_from_row({**r, "dataset_name": dataset.name}) for r in rows)
    wanted = set(run_ids)
    chosen = [r for r in available if r.id in wanted] if run_ids else list(available[:COMPARE_DEFAULT_RUNS])
    return dataset, available, list(reversed(chosen))


# One run's mean of a score per item, over the scores of the item's traces in the run (`?`: project, run, score).
_RUN_ITEM_MEANS = (
    "SELECT x.dataset_item_id, avg(s.value) AS value FROM dataset_run_items x JOIN scores s"
    " ON s.project_id = x.project_id AND s.trace_id = x.trace_id WHERE x.project_id = ? AND x.run_id = ?"
    " AND s.name = ? AND s.value IS NOT NULL GROUP BY x.dataset_item_id"
)
# The score change per item that has the score in both the oldest and the newest compared run: newest minus oldest.
_DELTAS = (
    f"SELECT f.dataset_item_id, l.value - f.value AS delta FROM ({_RUN_ITEM_MEANS}) f"
    f" JOIN ({_RUN_ITEM_MEANS}) l ON l.dataset_item_id = f.dataset_item_id"
)


def _item_page(
    project_id: str, dataset_id: str, ids: list[str], sort_score: str | None, page: PageRequest
) -> Program[tuple[int, list[Row], dict[str, dict[str, RunCell]]]]:
    """The item count, one page of items (by score change when `sort_score`, else newest first) and their cells."""
    total_rows = yield Sql(
        "SELECT count(*) AS n FROM dataset_items WHERE project_id = ? AND dataset_id = ?", (project_id, dataset_id)
    )
    total = int(total_rows[0]["n"])
    columns = f"substr(i.input, 1, {_PREVIEW}) AS input, substr(i.expected_output, 1, {_PREVIEW}) AS expected"
    if sort_score is not None and len(ids) >= 2:
        item_rows = yield Sql(
            f"SELECT i.id, {columns} FROM dataset_items i LEFT JOIN ({_DELTAS}) d ON d.dataset_item_id = i.id"
            " WHERE i.project_id = ? AND i.dataset_id = ?"
            " ORDER BY d.delta IS NULL, d.delta DESC, i.created_at DESC, i.id LIMIT ? OFFSET ?",
            (project_id, ids[0], sort_score, project_id, ids[-1], sort_score, project_id, dataset_id, page.limit,
             page.offset),
        )  # fmt: skip
    else:
        item_rows = yield Sql(
            f"SELECT i.id, {columns} FROM dataset_items i WHERE i.project_id = ? AND i.dataset_id = ?"
            " ORDER BY i.created_at DESC, i.id LIMIT ? OFFSET ?",
            (project_id, dataset_id, page.limit, page.offset),
        )
    cells = yield from _cells(project_id, ids, [r["id"] for r in item_rows])
    return total, item_rows, cells


def _run_totals(project_id: str, ids: list[str], dialect: Dialect) -> Program[dict[str, Row]]:
    """Per run id: its run items (`n`), their traces' mean latency in seconds and summed cost."""
    if not ids:
        return {}
    seconds = dialect.seconds.format(a="t.start_time", b="t.end_time")
    rows = yield Sql(
        f"SELECT x.run_id, count(*) AS n, avg({seconds}) AS latency, sum(t.total_cost) AS cost"
        " FROM dataset_run_items x LEFT JOIN traces t ON t.project_id = x.project_id AND t.id = x.trace_id"
        f" WHERE x.project_id = ? AND x.run_id IN ({marks(ids)}) GROUP BY x.run_id",
        (project_id, *ids),
    )
    return {r["run_id"]: r for r in rows}


def _run_scores(
    project_id: str, ids: list[str]
) -> Program[tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]]:
    """Per run id: the mean of each numeric score over its items' traces, and of each score on the run itself."""
    scores: dict[str, dict[str, float]] = defaultdict(dict)
    run_scores: dict[str, dict[str, float]] = defaultdict(dict)
    if not ids:
        return scores, run_scores
    rows = yield Sql(
        "SELECT x.run_id, s.name, avg(s.value) AS value FROM dataset_run_items x JOIN scores s"
        " ON s.project_id = x.project_id AND s.trace_id = x.trace_id"
        f" WHERE x.project_id = ? AND x.run_id IN ({marks(ids)}) AND s.value IS NOT NULL GROUP BY x.run_id, s.name",
        (project_id, *ids),
    )
    for r in rows:
        scores[r["run_id"]][r["name"]] = float(r["value"])
    rows = yield Sql(
        f"SELECT dataset_run_id, name, avg(value) AS value FROM scores WHERE project_id = ? AND dataset_run_id IN"
        f" ({marks(ids)}) AND value IS NOT NULL GROUP BY dataset_run_id, name",
        (project_id, *ids),
    )
    for r in rows:
        run_scores[r["dataset_run_id"]][r["name"]] = float(r["value"])
    return scores, run_scores


def _cells(project_id: str, run_ids: list[str], item_ids: list[str]) -> Program[dict[str, dict[str, RunCell]]]:
    if not run_ids or not item_ids:
        return {}
    rows = yield Sql(
        f"SELECT x.run_id, x.dataset_item_id, x.trace_id, x.observation_id, t.start_time, t.end_time, t.total_cost,"
        f" substr(coalesce(o.output, t.output), 1, {_PREVIEW}) AS output FROM dataset_run_items x"
        " LEFT JOIN traces t ON t.project_id = x.project_id AND t.id = x.trace_id"
        " LEFT JOIN observations o ON o.project_id = x.project_id AND o.id = x.observation_id"
        f" WHERE x.project_id = ? AND x.run_id IN ({marks(run_ids)}) AND x.dataset_item_id IN ({marks(item_ids)})"
        " ORDER BY x.created_at",
        (project_id, *run_ids, *item_ids),
    )
    trace_ids = sorted({r["trace_id"] for r in rows})
    scores: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    if trace_ids:
        score_rows = yield Sql(
            "SELECT trace_id, name, value, string_value FROM scores"
            f" WHERE project_id = ? AND trace_id IN ({marks(trace_ids)})",
            (project_id, *trace_ids),
        )
        for s in score_rows:
            scores[s["trace_id"]][s["name"]].append(s["value"] if s["value"] is not None else s["string_value"])
    cells: dict[str, dict[str, RunCell]] = defaultdict(dict)
    for r in rows:  # oldest first: a later link of the same item in a run wins
        start, end = maybe_when(r["start_time"]), maybe_when(r["end_time"])
        latency = (end - start).total_seconds() if start is not None and end is not None else None
        cells[r["dataset_item_id"]][r["run_id"]] = RunCell(
            trace_id=r["trace_id"], observation_id=r["observation_id"], output=_preview(r["output"]),
            latency=latency, cost=float(r["total_cost"]) if r["total_cost"] is not None else None,
            scores={name: _mean(values) for name, values in sorted(scores[r["trace_id"]].items())},
        )  # fmt: skip
    return cells


def _mean(values: list[Any]) -> float | str:
    numbers = [float(v) for v in values if isinstance(v, (int, float))]
    if numbers:
        return sum(numbers) / len(numbers)
    return str(values[-1])
