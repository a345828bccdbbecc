"""Model prices for the UI: the project's and the built-in definitions as rows, and which one a model name matches.

Matching goes through domain/pricing.PriceBook, the same code ingestion prices with, so the tester's answer is the
definition a generation with that model name (starting at that time) gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from spyglass.domain.pricing import ModelDefinition, PriceBook, builtin_models
from spyglass.store.base import PageRequest, Store

_ALL = PageRequest(1, 100_000)


@dataclass(frozen=True, slots=True)
class TierRow:
    name: str
    is_default: bool
    priority: int
    prices: dict[str, float]
    conditions: tuple[str, ...]  # e.g. "input gt 200000"


@dataclass(frozen=True, slots=True)
class ModelRow:
    id: str
    model_name: str
    match_pattern: str
    start_date: datetime | None
    unit: str
    prices: dict[str, float]  # USD per unit, by usage key
    tiers: tuple[TierRow, ...]
    tokenizer_id: str | None
    builtin: bool
    price_date: str | None
    source: str | None
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class MatchResult:
    """What a model name (at a time) is priced with: the winning definition and every one whose pattern matches."""

    model: str
    at: datetime
    matched: ModelRow | None
    candidates: tuple[ModelRow, ...]  # best first; those starting after `at` do not apply yet


def model_row(definition: ModelDefinition) -> ModelRow:
    tiers = tuple(
        TierRow(t.name, t.is_default, t.priority, dict(t.prices),
                tuple(f"{c.usage_detail_pattern} {c.operator} {c.value:g}" for c in t.conditions))
        for t in sorted(definition.tiers, key=lambda t: (not t.is_default, t.priority))
    )  # fmt: skip
    return ModelRow(
        id=definition.id, model_name=definition.model_name, match_pattern=definition.match_pattern,
        start_date=definition.start_date, unit=definition.unit, prices=dict(definition.prices), tiers=tiers,
        tokenizer_id=definition.tokenizer_id, builtin=definition.is_builtin, price_date=definition.price_date,
        source=definition.source, created_at=definition.created_at,
    )  # fmt: skip


async def definitions(store: Store, project_id: str) -> list[ModelDefinition]:
    """The project's own definitions (newest first), then the built-in ones by name."""
    return list((await store.list_models(project_id, _ALL)).items)


def match_model(project_id: str, definitions: list[ModelDefinition], model: str, at: datetime | None) -> MatchResult:
    """The definition a generation named `model` starting at `at` (default now) is priced with."""
    when = at or datetime.now(UTC)
    book = PriceBook(builtin_models(), [d for d in definitions if not d.is_builtin])
    delta = when - datetime(1970, 1, 1, tzinfo=UTC)
    at_us = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    matched = book.match(project_id, model, at_us)
    candidates = tuple(model_row(d) for d in book.candidates(project_id, model))
    return MatchResult(model, when, model_row(matched) if matched is not None else None, candidates)
