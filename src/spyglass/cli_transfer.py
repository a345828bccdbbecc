"""`spyglass export` and `spyglass import`: move a project between stores (SQLite <-> PostgreSQL) as JSONL.

The file streams one JSON object per line: a header naming the project, its API keys (secrets only as their salted
hashes, so clients keep working after the move), project model prices, prompt versions, then every trace,
observation and score as the store keeps it (field stamps and write clocks included, see store/transfer.py), and a
trailer with the counts. Import checks the trailer against what it read and what the target store holds afterwards.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Annotated, Any

import orjson
import typer

from spyglass.config import settings_from_env
from spyglass.domain.merge import Record
from spyglass.domain.model import ApiKey, Project
from spyglass.domain.pricing import ModelDefinition, definition_from_dict
from spyglass.domain.prompts import NewPrompt, PromptFilter, PromptType
from spyglass.projects import find_project
from spyglass.store import open_store
from spyglass.store.base import Conflict, NotFound, ObservationFilter, PageRequest, ScoreFilter, Store, TraceFilter
from spyglass.store.transfer import KINDS, record_transfer

FORMAT = "spyglass-export"
VERSION = 1
_BATCH = 500
_KIND_OF = {"traces": "trace", "observations": "observation", "scores": "score"}

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Where the SQLite file lives (default ./.spyglass).")]
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="Store URL: sqlite:///path.db or postgresql://user:pass@host:5432/db."),
]


class TransferError(Exception):
    """The file or the stores do not add up; the message says how."""


def _store(data_dir: Path | None, database_url: str | None) -> Store:
    settings = settings_from_env().with_overrides(data_dir=data_dir, database_url=database_url)
    return open_store(settings.store_url, sqlite_synchronous=settings.sqlite_synchronous)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


async def counts(store: Store, project_id: str) -> dict[str, int]:
    """How many traces, observations and scores the project holds."""
    one = PageRequest(limit=1)
    return {
        "traces": (await store.list_traces(project_id, TraceFilter(), one)).total,
        "observations": (await store.list_observations(project_id, ObservationFilter(), one)).total,
        "scores": (await store.list_scores(project_id, ScoreFilter(), one)).total,
    }


# --- export ---


def _record_line(kind: str, record: Record) -> dict[str, Any]:
    out = dict(record)
    for key in ("input", "output"):
        # Kept as JSON text by the stores; written as JSON values so the file reads naturally.
        if isinstance(out.get(key), str):
            out[key] = orjson.loads(out[key])
    return {"kind": _KIND_OF[kind], "record": out}


def _model_line(model: ModelDefinition) -> dict[str, Any]:
    return {
        "kind": "model",
        "model": {
            "model_name": model.model_name, "match_pattern": model.match_pattern, "prices": dict(model.prices),
            "start_date": _iso(model.start_date), "unit": model.unit, "tokenizer_id": model.tokenizer_id,
            "tokenizer_config": model.tokenizer_config,
            "pricing_tiers": [
                {"id": t.id, "name": t.name, "is_default": t.is_default, "priority": t.priority,
                 "prices": dict(t.prices),
                 "conditions": [{"usage_detail_pattern": c.usage_detail_pattern, "operator": c.operator,
                                 "value": c.value, "case_sensitive": c.case_sensitive} for c in t.conditions]}
                for t in model.tiers
            ],
        },
    }  # fmt: skip


async def _prompt_lines(store: Store, project_id: str) -> AsyncIterator[dict[str, Any]]:
    page = 1
    while True:
        metas = await store.list_prompts(project_id, PromptFilter(), PageRequest(page=page, limit=100))
        for meta in metas.items:
            for version in meta.versions:
                prompt = await store.get_prompt(project_id, meta.name, version=version)
                yield {"kind": "prompt", "prompt": {
                    "name": prompt.name, "version": prompt.version, "type": prompt.type.value,
                    "prompt": prompt.prompt, "config": prompt.config, "labels": list(prompt.labels),
                    "tags": list(prompt.tags), "commit_message": prompt.commit_message,
                    "created_by": prompt.created_by, "created_at": _iso(prompt.created_at),
                }}  # fmt: skip
        if page >= metas.total_pages:
            return
        page += 1


async def export_project(store: Store, name_or_id: str, out: IO[bytes], progress: bool = True) -> dict[str, int]:
    """Write the project to `out` as JSONL; returns the counts written. Raises NotFound, TransferError."""
    project = await find_project(store, name_or_id)
    transfer = record_transfer(store)
    before = await counts(store, project.id)
    written: dict[str, int] = {"api_keys": 0, "models": 0, "prompts": 0, **dict.fromkeys(KINDS, 0)}

    def emit(line: dict[str, Any]) -> None:
        out.write(orjson.dumps(line, option=orjson.OPT_NON_STR_KEYS) + b"\n")

    emit({"kind": "header", "format": FORMAT, "version": VERSION, "exported_at": _iso(datetime.now().astimezone()),
          "project": {"id": project.id, "name": project.name, "created_at": _iso(project.created_at)},
          "counts": before})  # fmt: skip
    for key in await store.list_api_keys(project.id):
        emit({"kind": "api_key", "api_key": {
            "id": key.id, "public_key": key.public_key, "secret_hash": key.secret_hash,
            "display_secret": key.display_secret, "note": key.note, "created_at": _iso(key.created_at),
            "revoked_at": _iso(key.revoked_at),
        }})  # fmt: skip
        written["api_keys"] += 1
    models = await store.list_models(project.id, PageRequest(limit=10_000))
    for model in models.items:
        if model.project_id is not None:
            emit(_model_line(model))
            written["models"] += 1
    async for line in _prompt_lines(store, project.id):
        emit(line)
        written["prompts"] += 1
    with _bar(sum(before.values()), "Exporting", progress) as advance:
        for kind in KINDS:
            async for records in transfer.dump_records(project.id, kind, _BATCH):
                for record in records:
                    emit(_record_line(kind, record))
                written[kind] += len(records)
                advance(len(records))
    emit({"kind": "end", "counts": written})
    short = [k for k in KINDS if written[k] < before[k]]
    if short:
        raise TransferError(f"wrote fewer {', '.join(short)} than the project held when the export began; was data "
                            "deleted meanwhile? Run the export again")  # fmt: skip
    return written


# --- import ---


def _lines(source: IO[bytes]) -> Iterator[dict[str, Any]]:
    for number, raw in enumerate(source, start=1):
        if not raw.strip():
            continue
        try:
            line = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise TransferError(f"line {number} is not JSON: {exc}") from None
        if not isinstance(line, dict) or "kind" not in line:
            raise TransferError(f"line {number} is not an export line (an object with a 'kind')")
        yield line


async def import_project(store: Store, source: IO[bytes], progress: bool = True) -> dict[str, int]:
    """Load an export into `store` (into the project with the same id or name, else a new one with the exported id
    and name). Returns the counts read. Raises TransferError when the file is incomplete or the counts disagree."""
    transfer = record_transfer(store)
    lines = _lines(source)
    header = next(lines, None)
    if header is None or header.get("kind") != "header" or header.get("format") != FORMAT:
        raise TransferError(f"not a Spyglass export: the first line must be the {FORMAT} header")
    if header.get("version") != VERSION:
        raise TransferError(f"export format version {header.get('version')!r} is not supported (this is {VERSION})")
    meta = header["project"]
    project = await transfer.load_project(
        Project(id=meta["id"], name=meta["name"], created_at=_time(meta["created_at"]) or datetime.now().astimezone())
    )
    before = await counts(store, project.id)
    expected: dict[str, int] = header.get("counts") or {}
    read: dict[str, int] = {"api_keys": 0, "models": 0, "prompts": 0, **dict.fromkeys(KINDS, 0)}
    pending: dict[str, list[Record]] = {kind: [] for kind in KINDS}
    existing_prompts = {m.name for m in (await store.list_prompts(project.id, PromptFilter(),
                                                                  PageRequest(limit=10_000))).items}  # fmt: skip
    kinds = {v: k for k, v in _KIND_OF.items()}
    trailer: dict[str, Any] | None = None

    async def flush(kind: str) -> None:
        if pending[kind]:
            await transfer.load_records(project.id, kind, pending[kind])
            advance(len(pending[kind]))
            pending[kind] = []

    with _bar(sum(int(expected.get(k, 0)) for k in KINDS), "Importing", progress) as advance:
        for line in lines:
            kind = line["kind"]
            if trailer is not None:
                raise TransferError("lines after the end line: the file was concatenated or damaged")
            if kind in kinds:
                table = kinds[kind]
                record = dict(line["record"])
                for key in ("input", "output"):
                    if record.get(key) is not None:
                        record[key] = orjson.dumps(record[key], option=orjson.OPT_NON_STR_KEYS).decode()
                pending[table].append(record)
                read[table] += 1
                if len(pending[table]) >= _BATCH:
                    # Traces before their observations: the roll-ups are recomputed as observations load.
                    for earlier in KINDS[: KINDS.index(table) + 1]:
                        await flush(earlier)
            elif kind == "api_key":
                await _import_key(store, project, line["api_key"])
                read["api_keys"] += 1
            elif kind == "model":
                await store.create_model(project.id, definition_from_dict(line["model"], project_id=project.id))
                read["models"] += 1
            elif kind == "prompt":
                if await _import_prompt(store, project, line["prompt"], existing_prompts):
                    read["prompts"] += 1
            elif kind == "end":
                trailer = line
            else:
                raise TransferError(f"unknown line kind {kind!r}")
        for kind in KINDS:
            await flush(kind)
    if trailer is None:
        raise TransferError("the file has no end line: the export was cut short; nothing after the last full batch "
                            "is missing from the target, but run the import again with a complete file")  # fmt: skip
    for kind in KINDS:
        if read[kind] != int(trailer["counts"].get(kind, -1)):
            raise TransferError(f"the file holds {read[kind]} {kind} but its end line says {trailer['counts'][kind]}")
    after = await counts(store, project.id)
    for kind in KINDS:
        if not read[kind] <= after[kind] <= before[kind] + read[kind]:
            raise TransferError(f"the target holds {after[kind]} {kind} after importing {read[kind]} "
                                f"(it held {before[kind]} before)")  # fmt: skip
    return read


async def _import_key(store: Store, project: Project, raw: dict[str, Any]) -> None:
    key = ApiKey(id=raw["id"], project_id=project.id, public_key=raw["public_key"], secret_hash=raw["secret_hash"],
                 display_secret=raw["display_secret"], created_at=_time(raw["created_at"]) or datetime.now(),
                 note=raw.get("note"))  # fmt: skip
    try:
        await store.create_api_key(key)
    except Conflict:
        return  # already there (an earlier import, or the target's own bootstrap with the same init key)
    if raw.get("revoked_at"):
        await store.revoke_api_key(key.public_key)


async def _import_prompt(store: Store, project: Project, raw: dict[str, Any], existing: set[str]) -> bool:
    """Versions are created in order, so their numbers match when the prompt is new to the target."""
    if raw["name"] in existing:
        return False  # the target has its own history of this prompt; leave it alone
    new = NewPrompt(name=raw["name"], type=PromptType(raw["type"]), prompt=raw["prompt"], config=raw.get("config"),
                    labels=tuple(label for label in raw.get("labels") or () if label != "latest"),
                    tags=tuple(raw.get("tags") or ()), commit_message=raw.get("commit_message"),
                    created_by=raw.get("created_by"))  # fmt: skip
    await store.create_prompt(project.id, new)
    return True


@contextmanager
def _bar(total: int, label: str, show: bool) -> Iterator[Any]:
    if not show or total == 0:
        yield lambda n: None
        return
    with typer.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


# --- commands ---


def _run(coro_fn: Any, store: Store) -> Any:
    async def run() -> Any:
        try:
            await store.migrate()
            return await coro_fn(store)
        finally:
            await store.close()

    return asyncio.run(run())


def export(
    project: Annotated[str, typer.Option(help="Project name or id.")] = "default",
    output: Annotated[str, typer.Option("--output", "-o", help="File to write, or - for standard output.")] = "-",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on standard error.")] = True,
) -> None:
    """Write a project (traces, observations, scores, prompts, API keys, model prices) as JSONL."""
    store = _store(data_dir, database_url)
    try:
        if output == "-":
            written = _run(lambda s: export_project(s, project, sys.stdout.buffer, progress), store)
        else:
            with Path(output).open("wb") as out:
                written = _run(lambda s: export_project(s, project, out, progress), store)
    except (NotFound, TransferError) as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo("Exported " + ", ".join(f"{n} {k}" for k, n in written.items()), err=True)


def import_(
    source: Annotated[str, typer.Argument(help="An export file, or - for standard input.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on standard error.")] = True,
) -> None:
    """Load a `spyglass export` file into this store; counts are checked at the end."""
    store = _store(data_dir, database_url)
    try:
        if source == "-":
            read = _run(lambda s: import_project(s, sys.stdin.buffer, progress), store)
        else:
            path = Path(source)
            if not path.is_file():
                raise typer.BadParameter(f"no such file: {source}")
            with path.open("rb") as handle:
                read = _run(lambda s: import_project(s, handle, progress), store)
    except TransferError as exc:
        typer.echo(f"Import failed: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo("Imported " + ", ".join(f"{n} {k}" for k, n in read.items()) + "; counts check out.", err=True)


def register(app: typer.Typer) -> None:
    """Add `export` and `import` to the `spyglass` command."""
    app.command("export")(export)
    app.command("import")(import_)
