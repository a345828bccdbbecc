"""Model price definitions, matching a generation's model name to one, and its cost (pure; no SQL, no HTTP).

Langfuse's semantics, kept on purpose so a project moving over gets the same numbers:

* a definition's `match_pattern` is a regex searched case-insensitively in the observation's model name;
* among the definitions that match and whose `start_date` is not after the observation's start, a project's own
  definitions win over built-in ones, then the newest `start_date` wins (no start date counts as the oldest);
* cost = units x price for every usage key the definition prices, plus `total` (their sum) unless `total` is
  itself priced; a cost the client sent is kept as is, never recomputed;
* pricing tiers: conditional tiers are tried by ascending priority, the first whose conditions all hold gives the
  prices, else the default tier does.

Built-in definitions live in `model_prices.json` beside this module, each with the date and source of its price.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import orjson

from spyglass.domain.bounds import MAX_MODEL_NAME, micros_of
from spyglass.domain.merge import Record
from spyglass.domain.patterns import PatternError, SafePattern, compile_safe
from spyglass.domain.tokens import count_usage

UNITS = ("TOKENS", "CHARACTERS", "MILLISECONDS", "SECONDS", "IMAGES", "REQUESTS")
OPERATORS = ("gt", "gte", "lt", "lte", "eq", "neq")
TOKENIZERS = ("openai", "claude")
COUNTED_TYPES = ("GENERATION", "EMBEDDING")


class PricingError(ValueError):
    """A model definition is not valid; the message names the field."""


@dataclass(frozen=True, slots=True)
class UsageCondition:
    """Holds when the sum of the usage values whose keys match `usage_detail_pattern` compares true to `value`."""

    usage_detail_pattern: str
    operator: str
    value: float
    case_sensitive: bool = False

    def holds(self, usage: Mapping[str, int]) -> bool:
        try:
            pattern = compile_safe(self.usage_detail_pattern, self.case_sensitive)
        except PatternError:
            return False  # stored before patterns were checked: a condition that cannot run never holds
        units = sum(v for k, v in usage.items() if pattern.search(k))
        ops = {
            "gt": units > self.value,
            "gte": units >= self.value,
            "lt": units < self.value,
            "lte": units <= self.value,
            "eq": units == self.value,
            "neq": units != self.value,
        }
        return ops[self.operator]


@dataclass(frozen=True, slots=True)
class PricingTier:
    name: str
    is_default: bool
    priority: int
    prices: Mapping[str, float]
    conditions: tuple[UsageCondition, ...] = ()
    id: str = ""


@dataclass(frozen=True, slots=True)
class ModelDefinition:
    """A price definition. `project_id` None means built in. Prices are USD per unit, by usage key."""

    id: str
    model_name: str
    match_pattern: str
    prices: Mapping[str, float]
    start_date: datetime | None = None
    unit: str = "TOKENS"
    tokenizer_id: str | None = None
    tokenizer_config: Any = None
    project_id: str | None = None
    created_at: datetime | None = None
    tiers: tuple[PricingTier, ...] = ()
    price_date: str | None = None
    source: str | None = None
    _regex: SafePattern | None = field(default=None, compare=False, repr=False)

    @property
    def is_builtin(self) -> bool:
        return self.project_id is None

    @property
    def regex(self) -> SafePattern:
        return self._regex if self._regex is not None else compile_pattern(self.match_pattern)

    @property
    def start_us(self) -> int:
        return _micros(self.start_date) if self.start_date is not None else -(2**62)

    def matches(self, model: str) -> bool:
        return len(model) <= MAX_MODEL_NAME and self.regex.search(model) is not None

    def prices_for(self, usage: Mapping[str, int]) -> Mapping[str, float]:
        """The prices of the first conditional tier (by priority) whose conditions hold, else the default ones."""
        for tier in sorted((t for t in self.tiers if not t.is_default), key=lambda t: t.priority):
            if tier.conditions and all(c.holds(usage) for c in tier.conditions):
                return tier.prices
        return self.prices

    @property
    def tokenizer_model(self) -> str | None:
        """The OpenAI model whose encoding counts this definition's tokens, when it has the openai tokenizer."""
        if self.tokenizer_id != "openai":
            return None
        config = self.tokenizer_config
        if isinstance(config, Mapping) and isinstance(config.get("tokenizerModel"), str):
            return str(config["tokenizerModel"])
        return self.model_name


_micros = micros_of


def compile_pattern(pattern: str, field: str = "matchPattern", case_sensitive: bool = False) -> SafePattern:
    """Compile a user pattern case-insensitively on the linear-time engine (domain/patterns.py). Leading inline
    flags such as Langfuse's `(?i)` are allowed.

    Raises PricingError naming `field` when the engine cannot run the pattern.
    """
    try:
        return compile_safe(pattern, case_sensitive)
    except PatternError as exc:
        raise PricingError(f"{field} {pattern[:100]!r} {exc}") from None


def with_regex(definition: ModelDefinition) -> ModelDefinition:
    """The same definition with its pattern compiled once (raises PricingError on a bad pattern)."""
    return replace(definition, _regex=compile_pattern(definition.match_pattern))


def validate_prices(prices: Mapping[str, Any], where: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in prices.items():
        if not isinstance(key, str) or not key:
            raise PricingError(f"{where} keys must be non-empty usage keys")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise PricingError(f"{where}.{key} must be a non-negative number, got {value!r}"[:200])
        out[key] = float(value)
    return out


def compute_cost(definition: ModelDefinition, usage: Mapping[str, int]) -> dict[str, float]:
    """Cost per usage key (units x price) plus `total`; empty when the definition prices none of the keys."""
    prices = definition.prices_for(usage)
    costs = {key: _round(units * prices[key]) for key, units in usage.items() if key in prices}
    if costs and "total" not in costs:
        costs["total"] = _round(sum(costs.values()))
    return costs


def _round(value: float) -> float:
    return round(value, 12)


class PriceBook:
    """Built-in definitions plus those of the projects loaded so far, matched by model name with a per-name cache.

    A project's definitions only ever price that project's generations, and a store loads only the projects it is
    writing (`missing` says which), so one project's definitions can never break another's writes. A stored
    definition whose pattern the engine cannot run is left out. Not thread-safe by itself: each store keeps one on
    its writer."""

    def __init__(self, builtins: Iterable[ModelDefinition], project_models: Iterable[ModelDefinition] = ()) -> None:
        self._builtins = tuple(d for d in (_usable(b) for b in builtins) if d is not None)
        self._projects: dict[str, tuple[ModelDefinition, ...]] = {}
        by_project: dict[str, list[ModelDefinition]] = {}
        for definition in project_models:
            if definition.project_id is not None:
                by_project.setdefault(definition.project_id, []).append(definition)
        for project_id, definitions in by_project.items():
            self.load(project_id, definitions)
        self._candidates: dict[tuple[str, str], tuple[ModelDefinition, ...]] = {}

    def missing(self, project_ids: Iterable[str]) -> list[str]:
        """The projects among `project_ids` whose definitions are not loaded yet."""
        return sorted({p for p in project_ids if p not in self._projects})

    def load(self, project_id: str, definitions: Iterable[ModelDefinition]) -> None:
        """Set `project_id`'s own definitions (only those of that project are kept)."""
        usable = (_usable(d) for d in definitions if d.project_id == project_id)
        self._projects[project_id] = tuple(d for d in usable if d is not None)
        self._candidates = {}

    def candidates(self, project_id: str, model: str) -> tuple[ModelDefinition, ...]:
        """Every definition matching `model`, best first (project before built-in, then newest start date)."""
        key = (project_id, model)
        found = self._candidates.get(key)
        if found is None:
            pool = [*self._projects.get(project_id, ()), *self._builtins]
            hits = [d for d in pool if d.matches(model)]
            hits.sort(key=_rank, reverse=True)
            found = tuple(hits)
            if len(self._candidates) > 50_000:
                self._candidates.clear()
            self._candidates[key] = found
        return found

    def match(self, project_id: str, model: str | None, at_us: int | None = None) -> ModelDefinition | None:
        """The definition that prices `model` for an observation starting at `at_us` (µs since the epoch, UTC)."""
        if not model or len(model) > MAX_MODEL_NAME:
            return None
        for definition in self.candidates(project_id, model):
            if at_us is None or definition.start_us <= at_us:
                return definition
        return None


def _usable(definition: ModelDefinition) -> ModelDefinition | None:
    if definition._regex is not None:
        return definition
    try:
        return with_regex(definition)
    except PricingError:
        return None


def _rank(definition: ModelDefinition) -> tuple[int, int, int, str]:
    created = _micros(definition.created_at) if definition.created_at is not None else 0
    return (0 if definition.is_builtin else 1, definition.start_us, created, definition.id)


def price_record(record: Record, book: PriceBook) -> None:
    """Bring an observation's fold record's usage and cost up to date with `book` (in place).

    What the client sent is never touched: a field stamped in the record's `_ts` (see merge.py) came from a client.
    Unstamped usage was counted by us and unstamped cost computed by us, so both are redone on every fold: usage is
    counted when the client sent none and the matched definition has an offline tokenizer; cost is units x price.
    """
    stamps = record.get("_ts") or {}
    definition = book.match(record["project_id"], record.get("model"), record.get("start_time"))
    if "usage_details" not in stamps:
        counted: dict[str, int] | None = None
        tokenizer_model = definition.tokenizer_model if definition is not None else None
        has_io = record.get("input") is not None or record.get("output") is not None
        if tokenizer_model and has_io and record.get("type") in COUNTED_TYPES:
            counted = count_usage(tokenizer_model, _json(record.get("input")), _json(record.get("output")))
        record["usage_details"] = counted or {}
    if "cost_details" not in stamps:
        usage = record.get("usage_details") or {}
        record["cost_details"] = compute_cost(definition, usage) if definition is not None and usage else {}


def _json(text: Any) -> Any:
    if not isinstance(text, (str, bytes)):
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


# --- storage form of tiers ---


def tiers_to_json(tiers: Sequence[PricingTier]) -> str:
    """Pricing tiers as the JSON text both stores keep in `models.pricing_tiers` (Langfuse's camelCase keys)."""
    return orjson.dumps(
        [
            {
                "id": t.id, "name": t.name, "isDefault": t.is_default, "priority": t.priority,
                "prices": dict(t.prices),
                "conditions": [
                    {"usageDetailPattern": c.usage_detail_pattern, "operator": c.operator, "value": c.value,
                     "caseSensitive": c.case_sensitive}
                    for c in t.conditions
                ],
            }
            for t in tiers
        ]
    ).decode()  # fmt: skip


def tiers_from_json(text: str) -> tuple[PricingTier, ...]:
    """The inverse of `tiers_to_json`."""
    return tuple(
        PricingTier(
            id=t["id"], name=t["name"], is_default=t["isDefault"], priority=t["priority"], prices=t["prices"],
            conditions=tuple(
                UsageCondition(c["usageDetailPattern"], c["operator"], c["value"], c["caseSensitive"])
                for c in t["conditions"]
            ),
        )
        for t in orjson.loads(text)
    )  # fmt: skip


# --- built-in definitions ---


def definition_from_dict(raw: Mapping[str, Any], *, project_id: str | None = None) -> ModelDefinition:
    """A definition from the snake_case shape of model_prices.json. Raises PricingError naming the field."""
    name = raw.get("model_name")
    pattern = raw.get("match_pattern")
    if not isinstance(name, str) or not name or not isinstance(pattern, str) or not pattern:
        raise PricingError("model_name and match_pattern are required")
    start = raw.get("start_date")
    tiers = tuple(_tier_from_dict(t) for t in raw.get("pricing_tiers") or ())
    return with_regex(
        ModelDefinition(
            id=str(raw.get("id") or f"builtin-{name}"),
            model_name=name,
            match_pattern=pattern,
            prices=validate_prices(raw.get("prices") or {}, "prices"),
            start_date=datetime.fromisoformat(start) if isinstance(start, str) else None,
            unit=str(raw.get("unit") or "TOKENS"),
            tokenizer_id=raw.get("tokenizer_id"),
            tokenizer_config=raw.get("tokenizer_config"),
            project_id=project_id,
            tiers=tiers,
            price_date=raw.get("price_date"),
            source=raw.get("source"),
        )
    )


def _tier_from_dict(raw: Mapping[str, Any]) -> PricingTier:
    conditions = tuple(
        UsageCondition(
            usage_detail_pattern=c["usage_detail_pattern"],
            operator=c["operator"],
            value=float(c["value"]),
            case_sensitive=bool(c.get("case_sensitive", False)),
        )
        for c in raw.get("conditions") or ()
    )
    return PricingTier(
        name=str(raw["name"]),
        is_default=bool(raw.get("is_default", False)),
        priority=int(raw.get("priority", 0)),
        prices=validate_prices(raw.get("prices") or {}, f"pricing_tiers[{raw.get('name')}].prices"),
        conditions=conditions,
        id=str(raw.get("id") or raw["name"]),
    )


@lru_cache(maxsize=1)
def builtin_models() -> tuple[ModelDefinition, ...]:
    """The built-in definitions shipped in model_prices.json (read once)."""
    text = (resources.files("spyglass.domain") / "model_prices.json").read_bytes()
    data = orjson.loads(text)
    return tuple(definition_from_dict(raw) for raw in data["models"])


def builtin_sorted(definitions: Sequence[ModelDefinition]) -> list[ModelDefinition]:
    """Definitions in list order: the project's own first (newest first), then built-ins by name."""
    own = sorted((d for d in definitions if not d.is_builtin), key=_rank, reverse=True)
    builtin = sorted((d for d in definitions if d.is_builtin), key=lambda d: (d.model_name, d.start_us))
    return [*own, *builtin]
