"""Prompt SQL of the PostgreSQL backend (mirrors store/sqlite/prompts.py). Writes run inside the caller's transaction.

Replicas may create versions of one prompt at once, so every prompt write first takes a transaction-scoped advisory
lock on (project, name): versions are numbered one after another and `latest` is on exactly one of them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from psycopg import AsyncConnection
from psycopg.rows import DictRow

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
from spyglass.store.postgres.rows import Row, observation_from_row, score_from_row, text

Conn = AsyncConnection[DictRow]


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _dump(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode().replace("\\u0000", "\\ufffd")


def _not_found(name: str, version: int | None = None, label: str | None = None) -> NotFound:
    if version is not None:
        return NotFound(f"Prompt not found: {name!r} has no version {version}")
    if label is not None:
        return NotFound(f"Prompt not found: no version of {name!r} has the label {label!r}")
    return NotFound(f"Prompt not found: {name!r}")


async def _all(conn: Conn, sql: str, params: Any) -> list[Row]:
    cur = await conn.execute(sql, params)
    return await cur.fetchall()


async def _one(conn: Conn, sql: str, params: Any) -> Row | None:
    cur = await conn.execute(sql, params)
    return await cur.fetchone()


async def lock_prompt(conn: Conn, project_id: str, name: str) -> None:
    """Serialise writes to one prompt across replicas until the transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 7))", (f"prompt\x1f{project_id}\x1f{name}",))


# --- reads ---


async def _labels(conn: Conn, project_id: str, name: str) -> dict[int, list[str]]:
    by_version: dict[int, list[str]] = defaultdict(list)
    rows = await _all(
        conn,
        "SELECT version, label FROM prompt_labels WHERE project_id = %s AND name = %s ORDER BY label = 'latest', label",
        (project_id, name),
    )
    for row in rows:
        by_version[row["version"]].append(row["label"])
    return by_version


async def _tags(conn: Conn, project_id: str, name: str) -> tuple[str, ...]:
    row = await _one(conn, "SELECT tags FROM prompt_names WHERE project_id = %s AND name = %s", (project_id, name))
    return tuple(row["tags"]) if row is not None else ()


async def _prompt_from_row(conn: Conn, row: Row) -> Prompt:
    project_id, name = row["project_id"], row["name"]
    labels = await _labels(conn, project_id, name)
    return Prompt(
        id=row["id"], project_id=project_id, name=name, version=row["version"], type=PromptType(row["type"]),
        prompt=orjson.loads(row["prompt"]), config=orjson.loads(row["config"]),
        labels=tuple(labels.get(row["version"], ())), tags=await _tags(conn, project_id, name),
        commit_message=row["commit_message"], created_at=row["created_at"], updated_at=row["updated_at"],
        created_by=row["created_by"],
    )  # fmt: skip


async def get_prompt(
    conn: Conn, project_id: str, name: str, *, version: int | None = None, label: str | None = None
) -> Prompt:
    if version is not None:
        row = await _one(
            conn,
            "SELECT * FROM prompts WHERE project_id = %s AND name = %s AND version = %s",
            (project_id, name, version),
        )
    else:
        row = await _one(
            conn,
            "SELECT p.* FROM prompt_labels l JOIN prompts p"
            " ON p.project_id = l.project_id AND p.name = l.name AND p.version = l.version"
            " WHERE l.project_id = %s AND l.name = %s AND l.label = %s",
            (project_id, name, label),
        )
    if row is None:
        raise _not_found(name, version, label)
    return await _prompt_from_row(conn, row)


async def list_prompts(conn: Conn, project_id: str, flt: PromptFilter, page: PageRequest) -> Page[PromptMeta]:
    clauses = ["p.project_id = %s"]
    params: list[Any] = [project_id]
    if flt.name is not None:
        clauses.append("p.name = %s")
        params.append(flt.name)
    if flt.search:
        clauses.append("strpos(lower(p.name), lower(%s)) > 0")
        params.append(flt.search)
    if flt.label is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM prompt_labels l WHERE l.project_id = p.project_id AND l.name = p.name"
            " AND l.version = p.version AND l.label = %s)"
        )
        params.append(flt.label)
    if flt.tag is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM prompt_names n WHERE n.project_id = p.project_id AND n.name = p.name"
            " AND %s = ANY(n.tags))"
        )
        params.append(flt.tag)
    if flt.from_updated_at is not None:
        clauses.append("p.updated_at >= %s")
        params.append(_utc(flt.from_updated_at))
    if flt.to_updated_at is not None:
        clauses.append("p.updated_at < %s")
        params.append(_utc(flt.to_updated_at))
    where = " AND ".join(clauses)
    total_row = await _one(conn, f"SELECT count(DISTINCT p.name) AS n FROM prompts p WHERE {where}", params)
    total = int(total_row["n"]) if total_row else 0
    names = await _all(
        conn,
        f"SELECT p.name, max(p.updated_at) AS last FROM prompts p WHERE {where}"
        " GROUP BY p.name ORDER BY last DESC, p.name LIMIT %s OFFSET %s",
        [*params, page.limit, page.offset],
    )
    items: list[PromptMeta] = []
    for entry in names:
        name = entry["name"]
        rows = await _all(
            conn,
            f"SELECT p.version, p.type, p.config, p.updated_at FROM prompts p WHERE {where} AND p.name = %s"
            " ORDER BY p.version",
            [*params, name],
        )
        labels = await _labels(conn, project_id, name)
        newest = rows[-1]
        items.append(
            PromptMeta(
                name=name, type=PromptType(newest["type"]), versions=tuple(r["version"] for r in rows),
                labels=tuple(dict.fromkeys(lbl for r in rows for lbl in labels.get(r["version"], ()))),
                tags=await _tags(conn, project_id, name), last_updated_at=entry["last"],
                last_config=orjson.loads(newest["config"]),
            )
        )  # fmt: skip
    return Page(items=tuple(items), total=total, page=page.page, limit=page.limit)


# --- writes (inside the caller's transaction, after lock_prompt) ---


async def _assign(conn: Conn, project_id: str, name: str, labels: Sequence[str], version: int) -> None:
    """Point each label at `version`, moving it off whichever version had it."""
    if labels:
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO prompt_labels (project_id, name, label, version) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (project_id, name, label) DO UPDATE SET version = excluded.version",
                [(project_id, name, label, version) for label in labels],
            )


async def _touch(conn: Conn, project_id: str, name: str, versions: Sequence[int], now: datetime) -> None:
    if versions:
        await conn.execute(
            "UPDATE prompts SET updated_at = %s WHERE project_id = %s AND name = %s AND version = ANY(%s::int[])",
            (now, project_id, name, list(versions)),
        )


async def create_prompt(conn: Conn, project_id: str, new: NewPrompt, now: datetime) -> Prompt:
    """Insert the next version of `new.name` with its labels (and `latest`); tags replace the prompt's when given."""
    await lock_prompt(conn, project_id, new.name)
    row = await _one(
        conn,
        "SELECT coalesce(max(version), 0) + 1 AS v FROM prompts WHERE project_id = %s AND name = %s",
        (project_id, new.name),
    )
    version = int(row["v"]) if row else 1
    await conn.execute(
        "INSERT INTO prompts (project_id, name, version, id, type, prompt, config, commit_message, created_by,"
        " created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (project_id, new.name, version, str(uuid.uuid4()), new.type.value, _dump(new.prompt), _dump(new.config),
         text(new.commit_message), text(new.created_by), now, now),
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO prompt_names (project_id, name, tags, created_at, updated_at) VALUES (%s, %s, %s, %s, %s)"
        " ON CONFLICT (project_id, name) DO UPDATE SET updated_at = excluded.updated_at"
        + (", tags = excluded.tags" if new.tags is not None else ""),
        (project_id, new.name, [text(t) for t in new.tags or ()], now, now),
    )
    labels = labels_after_create(new.labels)
    await _touch(conn, project_id, new.name, await _holders(conn, project_id, new.name, labels), now)
    await _assign(conn, project_id, new.name, labels, version)
    return await get_prompt(conn, project_id, new.name, version=version)


async def _holders(conn: Conn, project_id: str, name: str, labels: Sequence[str]) -> list[int]:
    """Versions that hold any of `labels` now (they change when a label moves off them)."""
    if not labels:
        return []
    rows = await _all(
        conn,
        "SELECT DISTINCT version FROM prompt_labels WHERE project_id = %s AND name = %s AND label = ANY(%s::text[])",
        (project_id, name, list(labels)),
    )
    return [r["version"] for r in rows]


async def _newest(conn: Conn, project_id: str, name: str) -> int | None:
    row = await _one(
        conn, "SELECT max(version) AS v FROM prompts WHERE project_id = %s AND name = %s", (project_id, name)
    )
    return int(row["v"]) if row is not None and row["v"] is not None else None


async def update_labels(
    conn: Conn, project_id: str, name: str, version: int, add: Sequence[str], remove: Sequence[str], now: datetime
) -> Prompt:
    """Add `add` to the version (moving them off others) and take `remove` off it; `latest` stays where it is."""
    await lock_prompt(conn, project_id, name)
    await get_prompt(conn, project_id, name, version=version)  # NotFound first
    newest = await _newest(conn, project_id, name)
    assert newest is not None
    check_assignable(add, version=version, newest=newest)
    moving = [label for label in add if label != LATEST]
    dropping = [label for label in remove if label != LATEST and label not in moving]
    await _touch(conn, project_id, name, [*await _holders(conn, project_id, name, moving), version], now)
    await _assign(conn, project_id, name, moving, version)
    if dropping:
        await conn.execute(
            "DELETE FROM prompt_labels WHERE project_id = %s AND name = %s AND label = ANY(%s::text[])"
            " AND version = %s",
            (project_id, name, dropping, version),
        )
    await conn.execute(
        "UPDATE prompt_names SET updated_at = %s WHERE project_id = %s AND name = %s", (now, project_id, name)
    )
    return await get_prompt(conn, project_id, name, version=version)


async def delete_prompts(
    conn: Conn, project_id: str, name: str, *, version: int | None = None, label: str | None = None
) -> int:
    """Delete one version, the version holding `label`, or (neither) the whole prompt; `latest` moves to the newest
    version left. Returns the number of versions deleted; raises NotFound when nothing matched."""
    await lock_prompt(conn, project_id, name)
    if version is None and label is not None:
        row = await _one(
            conn,
            "SELECT version FROM prompt_labels WHERE project_id = %s AND name = %s AND label = %s",
            (project_id, name, label),
        )
        if row is None:
            raise _not_found(name, label=label)
        version = int(row["version"])
    scope = "project_id = %s AND name = %s" + (" AND version = %s" if version is not None else "")
    params: tuple[Any, ...] = (project_id, name) if version is None else (project_id, name, version)
    cur = await conn.execute(f"DELETE FROM prompts WHERE {scope}", params)
    deleted = cur.rowcount
    if deleted == 0:
        raise _not_found(name, version)
    await conn.execute(f"DELETE FROM prompt_labels WHERE {scope}", params)
    newest = await _newest(conn, project_id, name)
    if newest is None:
        await conn.execute("DELETE FROM prompt_names WHERE project_id = %s AND name = %s", (project_id, name))
    else:
        await _assign(conn, project_id, name, [LATEST], newest)
    return deleted


# --- generations linked to a prompt version ---


async def generation_counts(conn: Conn, project_id: str, names: Sequence[str]) -> dict[tuple[str, int], int]:
    """Linked generations per (prompt name, version) for `names` (versions without any are left out)."""
    if not names:
        return {}
    rows = await _all(
        conn,
        "SELECT prompt_name, prompt_version, count(*) AS n FROM observations WHERE project_id = %s"
        " AND prompt_name = ANY(%s) AND prompt_version IS NOT NULL GROUP BY prompt_name, prompt_version",
        (project_id, list(names)),
    )
    return {(r["prompt_name"], r["prompt_version"]): int(r["n"]) for r in rows}


_LINKED = "project_id = %s AND prompt_name = %s AND prompt_version = %s"


def _percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    index = round(fraction * (len(sorted_values) - 1))
    return sorted_values[index]


async def prompt_usage(conn: Conn, project_id: str, name: str, version: int) -> PromptUsage:
    """Count, latency, tokens, cost and scores of the generations linked to (name, version)."""
    params = (project_id, name, version)
    totals = await _one(
        conn,
        "SELECT count(*) AS n, count(DISTINCT trace_id) AS traces, coalesce(sum(input_tokens), 0) AS inp,"
        " coalesce(sum(output_tokens), 0) AS outp, coalesce(sum(total_tokens), 0) AS tot,"
        f" coalesce(sum(total_cost), 0) AS cost, min(start_time) AS first, max(start_time) AS last"
        f" FROM observations WHERE {_LINKED}",
        params,
    )
    assert totals is not None
    if totals["n"] == 0:
        exists = await _one(
            conn, "SELECT 1 AS x FROM prompts WHERE project_id = %s AND name = %s AND version = %s", params
        )
        if exists is None:
            raise _not_found(name, version)
    rows = await _all(
        conn, f"SELECT end_time, start_time FROM observations WHERE {_LINKED} AND end_time IS NOT NULL", params
    )
    latencies = sorted((r["end_time"] - r["start_time"]).total_seconds() for r in rows)
    return PromptUsage(
        name=name, version=version, generation_count=int(totals["n"]), trace_count=int(totals["traces"]),
        average_latency=sum(latencies) / len(latencies) if latencies else None,
        p50_latency=_percentile(latencies, 0.5), p95_latency=_percentile(latencies, 0.95),
        input_tokens=int(totals["inp"]), output_tokens=int(totals["outp"]), total_tokens=int(totals["tot"]),
        total_cost=float(totals["cost"]), first_used_at=totals["first"], last_used_at=totals["last"],
        scores=await _score_summaries(conn, params),
    )  # fmt: skip


async def _score_summaries(conn: Conn, params: tuple[Any, ...]) -> tuple[ScoreSummary, ...]:
    numeric = "CASE WHEN s.data_type IN ('NUMERIC', 'BOOLEAN') THEN s.value END"
    rows = await _all(
        conn,
        f"SELECT 'observation' AS target, s.name, count(*) AS n, avg({numeric}) AS average FROM scores s"
        f" JOIN observations o ON o.project_id = s.project_id AND o.id = s.observation_id"
        " WHERE o.project_id = %s AND o.prompt_name = %s AND o.prompt_version = %s GROUP BY s.name"
        f" UNION ALL"
        f" SELECT 'trace', s.name, count(*), avg({numeric}) FROM scores s"
        f" WHERE s.project_id = %s AND s.observation_id IS NULL AND s.trace_id IN"
        f" (SELECT trace_id FROM observations WHERE {_LINKED}) GROUP BY s.name"
        f" ORDER BY 1, 2",
        (*params, params[0], *params),
    )
    return tuple(
        ScoreSummary(name=r["name"], target=r["target"], count=int(r["n"]), average=r["average"]) for r in rows
    )


async def list_prompt_generations(
    conn: Conn, project_id: str, name: str, version: int, page: PageRequest
) -> Page[PromptGeneration]:
    """The linked generations, newest first, each with its own scores and its trace's trace-level scores."""
    params = (project_id, name, version)
    rows = await _all(
        conn,
        f"SELECT * FROM observations WHERE {_LINKED} ORDER BY start_time DESC, id DESC LIMIT %s OFFSET %s",
        (*params, page.limit, page.offset),
    )
    total_row = await _one(conn, f"SELECT count(*) AS n FROM observations WHERE {_LINKED}", params)
    total = int(total_row["n"]) if total_row else 0
    observations = [observation_from_row(r) for r in rows]
    by_observation: dict[str, list[Score]] = defaultdict(list)
    by_trace: dict[str, list[Score]] = defaultdict(list)
    obs_ids = [o.id for o in observations]
    trace_ids = sorted({o.trace_id for o in observations})
    if obs_ids:
        for row in await _all(
            conn,
            "SELECT * FROM scores WHERE project_id = %s AND observation_id = ANY(%s::text[]) ORDER BY timestamp",
            (project_id, obs_ids),
        ):
            by_observation[row["observation_id"]].append(score_from_row(row))
        for row in await _all(
            conn,
            "SELECT * FROM scores WHERE project_id = %s AND observation_id IS NULL AND trace_id = ANY(%s::text[])"
            " ORDER BY timestamp",
            (project_id, trace_ids),
        ):
            by_trace[row["trace_id"]].append(score_from_row(row))
    items = tuple(
        PromptGeneration(observation=o, scores=tuple(by_observation[o.id]), trace_scores=tuple(by_trace[o.trace_id]))
        for o in observations
    )
    return Page(items=items, total=total, page=page.page, limit=page.limit)
