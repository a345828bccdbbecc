"""Prompt SQL of the SQLite backend: functions taking a connection. Writes run inside the caller's transaction.

Versions live in `prompts`, labels in `prompt_labels` (primary key (project, name, label): a label is on at most one
version), tags in `prompt_names`. `latest` is a label row like the others, moved by every create and delete.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from spyglass.domain.model import Score
from spyglass.domain.prompts import (
    LATEST,
    NewPrompt,
    Prompt,
    PromptFilter,
    PromptGeneration,
    PromptMeta,
    PromptType,
    PromptUsage,
    ScoreSummary,
    check_assignable,
    labels_after_create,
)
from spyglass.store.base import NotFound, Page, PageRequest
from spyglass.store.sqlite.rows import dt, observation_from_row, score_from_row

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _us(value: datetime) -> int:
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _dump(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _required(value: int) -> datetime:
    when = dt(value)
    assert when is not None
    return when


def _not_found(name: str, version: int | None = None, label: str | None = None) -> NotFound:
    if version is not None:
        return NotFound(f"Prompt not found: {name!r} has no version {version}")
    if label is not None:
        return NotFound(f"Prompt not found: no version of {name!r} has the label {label!r}")
    return NotFound(f"Prompt not found: {name!r}")


# --- reads ---


def _labels(conn: sqlite3.Connection, project_id: str, name: str) -> dict[int, list[str]]:
    by_version: dict[int, list[str]] = defaultdict(list)
    rows = conn.execute(
        "SELECT version, label FROM prompt_labels WHERE project_id = ? AND name = ? ORDER BY label = 'latest', label",
        (project_id, name),
    )
    for row in rows:
        by_version[row["version"]].append(row["label"])
    return by_version


def _tags(conn: sqlite3.Connection, project_id: str, name: str) -> tuple[str, ...]:
    row = conn.execute("SELECT tags FROM prompt_names WHERE project_id = ? AND name = ?", (project_id, name)).fetchone()
    return tuple(orjson.loads(row["tags"])) if row is not None else ()


def _prompt_from_row(conn: sqlite3.Connection, row: sqlite3.Row) -> Prompt:
    project_id, name = row["project_id"], row["name"]
    return Prompt(
        id=row["id"], project_id=project_id, name=name, version=row["version"], type=PromptType(row["type"]),
        prompt=orjson.loads(row["prompt"]), config=orjson.loads(row["config"]),
        labels=tuple(_labels(conn, project_id, name).get(row["version"], ())), tags=_tags(conn, project_id, name),
        commit_message=row["commit_message"], created_at=_required(row["created_at"]),
        updated_at=_required(row["updated_at"]), created_by=row["created_by"],
    )  # fmt: skip


def get_prompt(
    conn: sqlite3.Connection, project_id: str, name: str, *, version: int | None = None, label: str | None = None
) -> Prompt:
    if version is not None:
        row = conn.execute(
            "SELECT * FROM prompts WHERE project_id = ? AND name = ? AND version = ?", (project_id, name, version)
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT p.* FROM prompt_labels l JOIN prompts p"
            " ON p.project_id = l.project_id AND p.name = l.name AND p.version = l.version"
            " WHERE l.project_id = ? AND l.name = ? AND l.label = ?",
            (project_id, name, label),
        ).fetchone()
    if row is None:
        raise _not_found(name, version, label)
    return _prompt_from_row(conn, row)


def list_prompts(conn: sqlite3.Connection, project_id: str, flt: PromptFilter, page: PageRequest) -> Page[PromptMeta]:
    clauses = ["p.project_id = ?"]
    params: list[Any] = [project_id]
    if flt.name is not None:
        clauses.append("p.name = ?")
        params.append(flt.name)
    if flt.search:
        clauses.append("instr(lower(p.name), lower(?)) > 0")
        params.append(flt.search)
    if flt.label is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM prompt_labels l WHERE l.project_id = p.project_id AND l.name = p.name"
            " AND l.version = p.version AND l.label = ?)"
        )
        params.append(flt.label)
    if flt.tag is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM prompt_names n, json_each(n.tags) t WHERE n.project_id = p.project_id"
            " AND n.name = p.name AND t.value = ?)"
        )
        params.append(flt.tag)
    if flt.from_updated_at is not None:
        clauses.append("p.updated_at >= ?")
        params.append(_us(flt.from_updated_at))
    if flt.to_updated_at is not None:
        clauses.append("p.updated_at < ?")
        params.append(_us(flt.to_updated_at))
    where = " AND ".join(clauses)
    total = conn.execute(f"SELECT count(DISTINCT p.name) FROM prompts p WHERE {where}", params).fetchone()[0]
    names = conn.execute(
        f"SELECT p.name, max(p.updated_at) AS last FROM prompts p WHERE {where}"
        " GROUP BY p.name ORDER BY last DESC, p.name LIMIT ? OFFSET ?",
        [*params, page.limit, page.offset],
    ).fetchall()
    items: list[PromptMeta] = []
    for entry in names:
        name = entry["name"]
        rows = conn.execute(
            f"SELECT p.version, p.type, p.config, p.updated_at FROM prompts p WHERE {where} AND p.name = ?"
            " ORDER BY p.version",
            [*params, name],
        ).fetchall()
        labels = _labels(conn, project_id, name)
        newest = rows[-1]
        items.append(
            PromptMeta(
                name=name, type=PromptType(newest["type"]), versions=tuple(r["version"] for r in rows),
                labels=tuple(dict.fromkeys(lbl for r in rows for lbl in labels.get(r["version"], ()))),
                tags=_tags(conn, project_id, name), last_updated_at=_required(entry["last"]),
                last_config=orjson.loads(newest["config"]),
            )
        )  # fmt: skip
    return Page(items=tuple(items), total=total, page=page.page, limit=page.limit)


# --- writes (inside the caller's BEGIN IMMEDIATE transaction) ---


def _assign(conn: sqlite3.Connection, project_id: str, name: str, labels: Sequence[str], version: int) -> None:
    """Point each label at `version`, moving it off whichever version had it."""
    conn.executemany(
        "INSERT INTO prompt_labels (project_id, name, label, version) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (project_id, name, label) DO UPDATE SET version = excluded.version",
        [(project_id, name, label, version) for label in labels],
    )


def _touch(conn: sqlite3.Connection, project_id: str, name: str, versions: Sequence[int], now: int) -> None:
    conn.executemany(
        "UPDATE prompts SET updated_at = ? WHERE project_id = ? AND name = ? AND version = ?",
        [(now, project_id, name, v) for v in versions],
    )


def create_prompt(conn: sqlite3.Connection, project_id: str, new: NewPrompt, now: int) -> Prompt:
    """Insert the next version of `new.name` with its labels (and `latest`); tags replace the prompt's when given."""
    version = conn.execute(
        "SELECT coalesce(max(version), 0) + 1 FROM prompts WHERE project_id = ? AND name = ?", (project_id, new.name)
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO prompts (project_id, name, version, id, type, prompt, config, commit_message, created_by,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (project_id, new.name, version, str(uuid.uuid4()), new.type.value, _dump(new.prompt), _dump(new.config),
         new.commit_message, new.created_by, now, now),
    )  # fmt: skip
    conn.execute(
        "INSERT INTO prompt_names (project_id, name, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (project_id, name) DO UPDATE SET updated_at = excluded.updated_at"
        + (", tags = excluded.tags" if new.tags is not None else ""),
        (project_id, new.name, _dump(list(new.tags or ())), now, now),
    )
    labels = labels_after_create(new.labels)
    _touch(conn, project_id, new.name, _holders(conn, project_id, new.name, labels), now)
    _assign(conn, project_id, new.name, labels, version)
    return get_prompt(conn, project_id, new.name, version=version)


def _holders(conn: sqlite3.Connection, project_id: str, name: str, labels: Sequence[str]) -> list[int]:
    """Versions that hold any of `labels` now (they change when a label moves off them)."""
    if not labels:
        return []
    marks = ", ".join("?" for _ in labels)
    rows = conn.execute(
        f"SELECT DISTINCT version FROM prompt_labels WHERE project_id = ? AND name = ? AND label IN ({marks})",
        (project_id, name, *labels),
    )
    return [r[0] for r in rows]


def _newest(conn: sqlite3.Connection, project_id: str, name: str) -> int | None:
    value: int | None = conn.execute(
        "SELECT max(version) FROM prompts WHERE project_id = ? AND name = ?", (project_id, name)
    ).fetchone()[0]
    return value


def update_labels(
    conn: sqlite3.Connection,
    project_id: str,
    name: str,
    version: int,
    add: Sequence[str],
    remove: Sequence[str],
    now: int,
) -> Prompt:
    """Add `add` to the version (moving them off others) and take `remove` off it; `latest` stays where it is."""
    get_prompt(conn, project_id, name, version=version)  # NotFound first
    newest = _newest(conn, project_id, name)
    assert newest is not None
    check_assignable(add, version=version, newest=newest)
    moving = [label for label in add if label != LATEST]
    dropping = [label for label in remove if label != LATEST]
    _touch(conn, project_id, name, [*_holders(conn, project_id, name, moving), version], now)
    _assign(conn, project_id, name, moving, version)
    conn.executemany(
        "DELETE FROM prompt_labels WHERE project_id = ? AND name = ? AND label = ? AND version = ?",
        [(project_id, name, label, version) for label in dropping if label not in moving],
    )
    conn.execute("UPDATE prompt_names SET updated_at = ? WHERE project_id = ? AND name = ?", (now, project_id, name))
    return get_prompt(conn, project_id, name, version=version)


def delete_prompts(
    conn: sqlite3.Connection, project_id: str, name: str, *, version: int | None = None, label: str | None = None
) -> int:
    """Delete one version, the version holding `label`, or (neither) the whole prompt; `latest` moves to the newest
    version left. Returns the number of versions deleted; raises NotFound when nothing matched."""
    if version is None and label is not None:
        row = conn.execute(
            "SELECT version FROM prompt_labels WHERE project_id = ? AND name = ? AND label = ?",
            (project_id, name, label),
        ).fetchone()
        if row is None:
            raise _not_found(name, label=label)
        version = row[0]
    scope = "project_id = ? AND name = ?" + (" AND version = ?" if version is not None else "")
    params: tuple[Any, ...] = (project_id, name) if version is None else (project_id, name, version)
    deleted = conn.execute(f"DELETE FROM prompts WHERE {scope}", params).rowcount
    if deleted == 0:
        raise _not_found(name, version)
    conn.execute(f"DELETE FROM prompt_labels WHERE {scope}", params)
    newest = _newest(conn, project_id, name)
    if newest is None:
        conn.execute("DELETE FROM prompt_names WHERE project_id = ? AND name = ?", (project_id, name))
    else:
        _assign(conn, project_id, name, [LATEST], newest)
    return deleted


# --- generations linked to a prompt version ---


def generation_counts(conn: sqlite3.Connection, project_id: str, names: Sequence[str]) -> dict[tuple[str, int], int]:
    """Linked generations per (prompt name, version) for `names` (versions without any are left out)."""
    if not names:
        return {}
    marks = ", ".join("?" for _ in names)
    rows = conn.execute(
        "SELECT prompt_name, prompt_version, count(*) FROM observations WHERE project_id = ?"
        f" AND prompt_name IN ({marks}) AND prompt_version IS NOT NULL GROUP BY prompt_name, prompt_version",
        (project_id, *names),
    )
    return {(r[0], r[1]): r[2] for r in rows}


_LINKED = "project_id = ? AND prompt_name = ? AND prompt_version = ?"


def _percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    index = round(fraction * (len(sorted_values) - 1))
    return sorted_values[index]


def prompt_usage(conn: sqlite3.Connection, project_id: str, name: str, version: int) -> PromptUsage:
    """Count, latency, tokens, cost and scores of the generations linked to (name, version).

    Raises NotFound when the version does not exist and no generation names it (a deleted version keeps its history).
    """
    params = (project_id, name, version)
    totals = conn.execute(
        "SELECT count(*) AS n, count(DISTINCT trace_id) AS traces, coalesce(sum(input_tokens), 0) AS inp,"
        " coalesce(sum(output_tokens), 0) AS outp, coalesce(sum(total_tokens), 0) AS tot,"
        f" coalesce(sum(total_cost), 0) AS cost, min(start_time) AS first, max(start_time) AS last"
        f" FROM observations WHERE {_LINKED}",
        params,
    ).fetchone()
    if totals["n"] == 0:
        exists = conn.execute("SELECT 1 FROM prompts WHERE project_id = ? AND name = ? AND version = ?", params)
        if exists.fetchone() is None:
            raise _not_found(name, version)
    latencies = sorted(
        (r[0] - r[1]) / 1_000_000
        for r in conn.execute(
            f"SELECT end_time, start_time FROM observations WHERE {_LINKED} AND end_time IS NOT NULL", params
        )
    )
    return PromptUsage(
        name=name, version=version, generation_count=totals["n"], trace_count=totals["traces"],
        average_latency=sum(latencies) / len(latencies) if latencies else None,
        p50_latency=_percentile(latencies, 0.5), p95_latency=_percentile(latencies, 0.95),
        input_tokens=totals["inp"], output_tokens=totals["outp"], total_tokens=totals["tot"],
        total_cost=totals["cost"], first_used_at=dt(totals["first"]), last_used_at=dt(totals["last"]),
        scores=_score_summaries(conn, params),
    )  # fmt: skip


def _score_summaries(conn: sqlite3.Connection, params: tuple[Any, ...]) -> tuple[ScoreSummary, ...]:
    numeric = "CASE WHEN s.data_type IN ('NUMERIC', 'BOOLEAN') THEN s.value END"
    rows = conn.execute(
        f"SELECT 'observation' AS target, s.name, count(*) AS n, avg({numeric}) AS average FROM scores s"
        f" JOIN observations o ON o.project_id = s.project_id AND o.id = s.observation_id"
        " WHERE o.project_id = ? AND o.prompt_name = ? AND o.prompt_version = ? GROUP BY s.name"
        f" UNION ALL"
        f" SELECT 'trace', s.name, count(*), avg({numeric}) FROM scores s"
        f" WHERE s.project_id = ? AND s.observation_id IS NULL AND s.trace_id IN"
        f" (SELECT trace_id FROM observations WHERE {_LINKED}) GROUP BY s.name"
        f" ORDER BY 1, 2",
        (*params, params[0], *params),
    )
    return tuple(ScoreSummary(name=r[1], target=r[0], count=r[2], average=r[3]) for r in rows)


def list_prompt_generations(
    conn: sqlite3.Connection, project_id: str, name: str, version: int, page: PageRequest
) -> Page[PromptGeneration]:
    """The linked generations, newest first, each with its own scores and its trace's trace-level scores."""
    params = (project_id, name, version)
    rows = conn.execute(
        f"SELECT * FROM observations WHERE {_LINKED} ORDER BY start_time DESC, id DESC LIMIT ? OFFSET ?",
        (*params, page.limit, page.offset),
    ).fetchall()
    total = conn.execute(f"SELECT count(*) FROM observations WHERE {_LINKED}", params).fetchone()[0]
    observations = [observation_from_row(r) for r in rows]
    by_observation: dict[str, list[Score]] = defaultdict(list)
    by_trace: dict[str, list[Score]] = defaultdict(list)
    obs_ids = [o.id for o in observations]
    trace_ids = sorted({o.trace_id for o in observations})
    if obs_ids:
        marks = ", ".join("?" for _ in obs_ids)
        for row in conn.execute(
            f"SELECT * FROM scores WHERE project_id = ? AND observation_id IN ({marks}) ORDER BY timestamp",
            (project_id, *obs_ids),
        ):
            by_observation[row["observation_id"]].append(score_from_row(row))
        marks = ", ".join("?" for _ in trace_ids)
        for row in conn.execute(
            f"SELECT * FROM scores WHERE project_id = ? AND observation_id IS NULL AND trace_id IN ({marks})"
            " ORDER BY timestamp",
            (project_id, *trace_ids),
        ):
            by_trace[row["trace_id"]].append(score_from_row(row))
    items = tuple(
        PromptGeneration(observation=o, scores=tuple(by_observation[o.id]), trace_scores=tuple(by_trace[o.trace_id]))
        for o in observations
    )
    return Page(items=items, total=total, page=page.page, limit=page.limit)
