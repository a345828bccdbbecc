"""Prompts for the UI: the list with usage counts, one prompt's versions, one version's metrics, and a line diff.

No SQL here; see store/. The diff is computed on the server (difflib) over a plain-text rendering of each version:
the text body, or one block per chat message, then the config as sorted, indented JSON.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from spyglass.domain.prompts import (
    LATEST,
    PRODUCTION,
    Prompt,
    PromptFilter,
    PromptGeneration,
    PromptMeta,
    PromptUsage,
    is_placeholder,
)
from spyglass.store.base import NotFound, Page, PageRequest, Store

MAX_VERSIONS = 500  # versions listed on a prompt's page


@dataclass(frozen=True, slots=True)
class PromptRow:
    """One prompt in the list."""

    name: str
    type: str
    version_count: int
    labels: tuple[str, ...]
    tags: tuple[str, ...]
    last_updated_at: datetime
    generation_count: int


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One version in a prompt's version list."""

    version: int
    labels: tuple[str, ...]
    commit_message: str | None
    created_by: str | None
    created_at: datetime
    generation_count: int


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: str  # "same", "added", "removed" or "gap" (unchanged lines left out)
    text: str
    old_number: int | None
    new_number: int | None


@dataclass(frozen=True, slots=True)
class PromptDiff:
    name: str
    old_version: int
    new_version: int
    lines: tuple[DiffLine, ...]
    added: int
    removed: int


async def list_prompt_rows(store: Store, project_id: str, search: str | None, page: PageRequest) -> Page[PromptRow]:
    """Prompts whose name contains `search` (any case), most recently updated first, with their generation counts."""
    listed: Page[PromptMeta] = await store.list_prompts(project_id, PromptFilter(search=search or None), page)
    counts = await store.prompt_generation_counts(project_id, [m.name for m in listed.items])
    rows = tuple(
        PromptRow(
            name=m.name, type=m.type.value, version_count=len(m.versions), labels=m.labels, tags=m.tags,
            last_updated_at=m.last_updated_at,
            generation_count=sum(n for (name, _), n in counts.items() if name == m.name),
        )
        for m in listed.items
    )  # fmt: skip
    return Page(items=rows, total=listed.total, page=listed.page, limit=listed.limit)


async def version_rows(store: Store, project_id: str, name: str) -> tuple[VersionRow, ...]:
    """Every version of `name`, newest first. Raises NotFound when the prompt has none."""
    listed = await store.list_prompts(project_id, PromptFilter(name=name), PageRequest(1, 1))
    if not listed.items:
        raise NotFound(f"no prompt named {name!r} in this project")
    versions = listed.items[0].versions[-MAX_VERSIONS:]
    counts = await store.prompt_generation_counts(project_id, [name])
    rows = []
    for number in reversed(versions):
        prompt = await store.get_prompt(project_id, name, version=number)
        rows.append(VersionRow(prompt.version, prompt.labels, prompt.commit_message, prompt.created_by,
                               prompt.created_at, counts.get((name, number), 0)))  # fmt: skip
    return tuple(rows)


def default_version(rows: tuple[VersionRow, ...]) -> int:
    """The version a prompt's page opens on: the one labelled production, else the newest."""
    for label in (PRODUCTION, LATEST):
        for row in rows:
            if label in row.labels:
                return row.version
    return rows[0].version


async def version_metrics(
    store: Store, project_id: str, name: str, version: int, page: PageRequest
) -> tuple[PromptUsage, Page[PromptGeneration]]:
    """The version's roll-up (count, latency, tokens, cost, scores) and one page of its generations."""
    usage = await store.prompt_usage(project_id, name, version)
    generations = await store.list_prompt_generations(project_id, name, version, page)
    return usage, generations


def as_text(prompt: Prompt) -> str:
    """The version as lines a person compares: the body (a block per chat message), then the config as JSON."""
    parts: list[str] = []
    if isinstance(prompt.prompt, str):
        parts.append(prompt.prompt)
    else:
        for message in prompt.prompt:
            if is_placeholder(message):
                parts.append(f"[placeholder: {message.get('name')}]")
            else:
                parts.append(f"[{message.get('role')}]\n{message.get('content')}")
    parts.append("[config]\n" + config_json(prompt.config))
    return "\n\n".join(parts)


def config_json(config: Any) -> str:
    return orjson.dumps(config, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS).decode()


def diff_versions(old: Prompt, new: Prompt, context: int = 3) -> PromptDiff:
    """A line diff of two versions with `context` unchanged lines around each change."""
    before, after = as_text(old).splitlines(), as_text(new).splitlines()
    lines: list[DiffLine] = []
    added = removed = 0
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for index, group in enumerate(matcher.get_grouped_opcodes(context)):
        if index > 0 or group[0][1] > 0:
            lines.append(DiffLine("gap", "…", None, None))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", before[i], i + 1, j1 + (i - i1) + 1) for i in range(i1, i2)]
                continue
            if tag in ("replace", "delete"):
                lines += [DiffLine("removed", before[i], i + 1, None) for i in range(i1, i2)]
                removed += i2 - i1
            if tag in ("replace", "insert"):
                lines += [DiffLine("added", after[j], None, j + 1) for j in range(j1, j2)]
                added += j2 - j1
    return PromptDiff(old.name, old.version, new.version, tuple(lines), added, removed)
