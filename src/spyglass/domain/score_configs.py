"""Score configs: the shape a score of one name must have, and the rule a score sent with a `configId` meets.

A config fixes the data type (NUMERIC, CATEGORICAL or BOOLEAN), an optional numeric range, or the categories (label
-> value) of a categorical score. Both ingestion doors apply `score_value` to every score naming a config, so a
violating score is that item's 400. Pure: no I/O, no wire or row shapes.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_NAME_LENGTH = 35
MAX_DESCRIPTION_LENGTH = 2000
# Langfuse's rule for config names: letters, digits, '_', ' ', '.', '(', ')' and '-'.
_NAME = re.compile(r"^[A-Za-z0-9_ .()\-]+$")


class ConfigDataType(enum.StrEnum):
    NUMERIC = "NUMERIC"
    CATEGORICAL = "CATEGORICAL"
    BOOLEAN = "BOOLEAN"


class InvalidScoreConfig(ValueError):
    """Input that cannot become a score config; the message names the field."""


class ScoreRejected(ValueError):
    """A score that does not fit the config it names; the message says how."""


@dataclass(frozen=True, slots=True)
class Category:
    label: str
    value: float


BOOLEAN_CATEGORIES = (Category("True", 1.0), Category("False", 0.0))


@dataclass(frozen=True, slots=True)
class ScoreConfig:
    id: str
    project_id: str
    name: str
    data_type: ConfigDataType
    created_at: datetime
    updated_at: datetime
    is_archived: bool = False
    min_value: float | None = None
    max_value: float | None = None
    categories: tuple[Category, ...] = ()
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ScoreConfigSpec:
    """What a create (every field) or an update (the fields it sets; `None` leaves a field alone) asks for."""

    name: str | None = None
    data_type: ConfigDataType | None = None
    is_archived: bool | None = None
    min_value: float | None = None
    max_value: float | None = None
    categories: tuple[Category, ...] | None = None
    description: str | None = None


def parse_spec(body: Mapping[str, Any], *, create: bool) -> ScoreConfigSpec:
    """A create or update body (Langfuse's camelCase keys) -> a spec. Raises InvalidScoreConfig naming the field."""
    name = _opt_text(body, "name")
    if name is not None:
        name = name.strip()
        if not name or len(name) > MAX_NAME_LENGTH or not _NAME.match(name):
            raise InvalidScoreConfig(
                f"name must be 1-{MAX_NAME_LENGTH} characters of letters, digits, spaces, '_', '.', '(', ')' or '-'"
            )
    elif create:
        raise InvalidScoreConfig("name is required")
    data_type: ConfigDataType | None = None
    raw_type = body.get("dataType")
    if raw_type is not None:
        if not isinstance(raw_type, str) or raw_type.upper() not in ConfigDataType.__members__:
            raise InvalidScoreConfig(f"dataType must be one of {', '.join(ConfigDataType)}")
        if not create:
            raise InvalidScoreConfig("dataType cannot be changed; create a new config")
        data_type = ConfigDataType(raw_type.upper())
    elif create:
        raise InvalidScoreConfig(f"dataType is required (one of {', '.join(ConfigDataType)})")
    archived = body.get("isArchived")
    if archived is not None and not isinstance(archived, bool):
        raise InvalidScoreConfig("isArchived must be true or false")
    description = _opt_text(body, "description")
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidScoreConfig(f"description is longer than {MAX_DESCRIPTION_LENGTH} characters")
    return ScoreConfigSpec(
        name=name, data_type=data_type, is_archived=archived, min_value=_opt_number(body, "minValue"),
        max_value=_opt_number(body, "maxValue"), categories=_categories(body.get("categories")),
        description=description,
    )  # fmt: skip


def build_config(spec: ScoreConfigSpec, *, id: str, project_id: str, now: datetime) -> ScoreConfig:
    """A new config from a create spec, checked as a whole. Raises InvalidScoreConfig."""
    if spec.name is None or spec.data_type is None:
        raise InvalidScoreConfig("name and dataType are required")
    config = ScoreConfig(
        id=id, project_id=project_id, name=spec.name, data_type=spec.data_type, created_at=now, updated_at=now,
        is_archived=bool(spec.is_archived), min_value=spec.min_value, max_value=spec.max_value,
        categories=spec.categories or (), description=spec.description,
    )  # fmt: skip
    return checked(config, categories_given=spec.categories is not None)


def updated_config(config: ScoreConfig, spec: ScoreConfigSpec, now: datetime) -> ScoreConfig:
    """`config` with the fields `spec` sets, checked as a whole. Raises InvalidScoreConfig."""
    changed = ScoreConfig(
        id=config.id, project_id=config.project_id, name=spec.name if spec.name is not None else config.name,
        data_type=config.data_type, created_at=config.created_at, updated_at=now,
        is_archived=spec.is_archived if spec.is_archived is not None else config.is_archived,
        min_value=spec.min_value if spec.min_value is not None else config.min_value,
        max_value=spec.max_value if spec.max_value is not None else config.max_value,
        categories=spec.categories if spec.categories is not None else config.categories,
        description=spec.description if spec.description is not None else config.description,
    )  # fmt: skip
    return checked(changed, categories_given=spec.categories is not None and config.data_type == "BOOLEAN")


def checked(config: ScoreConfig, *, categories_given: bool = False) -> ScoreConfig:
    """The config when its fields fit its data type (boolean categories filled in). Raises InvalidScoreConfig."""
    kind = config.data_type
    if kind == ConfigDataType.NUMERIC:
        if config.categories:
            raise InvalidScoreConfig("categories are only for CATEGORICAL configs")
        if config.min_value is not None and config.max_value is not None and config.min_value > config.max_value:
            raise InvalidScoreConfig("minValue must not be greater than maxValue")
        return config
    if config.min_value is not None or config.max_value is not None:
        raise InvalidScoreConfig(f"minValue and maxValue are only for NUMERIC configs, not {kind}")
    if kind == ConfigDataType.BOOLEAN:
        if categories_given:
            raise InvalidScoreConfig("categories of a BOOLEAN config are fixed (True = 1, False = 0)")
        return _with_categories(config, BOOLEAN_CATEGORIES)
    if not config.categories:
        raise InvalidScoreConfig("a CATEGORICAL config needs categories: a list of {label, value}")
    labels = [c.label for c in config.categories]
    values = [c.value for c in config.categories]
    if len(set(labels)) != len(labels):
        raise InvalidScoreConfig("category labels must be unique")
    if len(set(values)) != len(values):
        raise InvalidScoreConfig("category values must be unique")
    return config


def score_value(config: ScoreConfig, value: Any, data_type: str | None) -> tuple[str, float, str | None]:
    """The (data type, numeric value, string value) a score with `value` stores under `config`.

    `data_type` is what the sender named, if anything; it must match the config. A categorical score may give the
    category's label (stored as the category's value, the label kept as string value) or its value. Raises
    ScoreRejected when the config is archived or the value does not fit.
    """
    where = f"score config {config.name!r} ({config.id})"
    if data_type is not None and data_type.upper() != config.data_type:
        raise ScoreRejected(f"dataType {data_type.upper()} does not match {where}, which is {config.data_type}")
    if config.is_archived:
        raise ScoreRejected(f"{where} is archived; restore it before scoring with it")
    kind = config.data_type
    if kind == ConfigDataType.NUMERIC:
        number = _number(value)
        if number is None:
            raise ScoreRejected(f"value must be a number for NUMERIC {where}")
        if config.min_value is not None and number < config.min_value:
            raise ScoreRejected(f"value {number:g} is below minValue {config.min_value:g} of {where}")
        if config.max_value is not None and number > config.max_value:
            raise ScoreRejected(f"value {number:g} is above maxValue {config.max_value:g} of {where}")
        return kind.value, number, None
    if kind == ConfigDataType.BOOLEAN:
        if isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str) and value.lower() in ("true", "false"):
            number = 1.0 if value.lower() == "true" else 0.0
        else:
            number = _number(value)
        if number not in (0.0, 1.0):
            raise ScoreRejected(f"value must be 0 or 1 (or true/false) for BOOLEAN {where}")
        return kind.value, number, "True" if number else "False"
    for category in config.categories:
        if (isinstance(value, str) and value == category.label) or (_number(value) == category.value):
            return kind.value, category.value, category.label
    labels = ", ".join(repr(c.label) for c in config.categories)
    raise ScoreRejected(f"value {str(value)[:60]!r} is not a category of {where} ({labels})")


def categories_to_json(categories: Sequence[Category]) -> list[dict[str, Any]]:
    return [{"label": c.label, "value": c.value} for c in categories]


def categories_from_json(data: Any) -> tuple[Category, ...]:
    return tuple(Category(str(c["label"]), float(c["value"])) for c in data or ())


def _with_categories(config: ScoreConfig, categories: tuple[Category, ...]) -> ScoreConfig:
    return ScoreConfig(
        id=config.id, project_id=config.project_id, name=config.name, data_type=config.data_type,
        created_at=config.created_at, updated_at=config.updated_at, is_archived=config.is_archived,
        categories=categories, description=config.description,
    )  # fmt: skip


def _categories(raw: Any) -> tuple[Category, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise InvalidScoreConfig("categories must be a list of {label, value} objects")
    out: list[Category] = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise InvalidScoreConfig(f"categories[{index}] must be an object with label and value")
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            raise InvalidScoreConfig(f"categories[{index}].label must be a non-empty string")
        number = _number(item.get("value"))
        if number is None:
            raise InvalidScoreConfig(f"categories[{index}].value must be a number")
        out.append(Category(label, number))
    return tuple(out)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _opt_number(body: Mapping[str, Any], key: str) -> float | None:
    raw = body.get(key)
    if raw is None:
        return None
    number = _number(raw)
    if number is None:
        raise InvalidScoreConfig(f"{key} must be a finite number")
    return number


def _opt_text(body: Mapping[str, Any], key: str) -> str | None:
    raw = body.get(key)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InvalidScoreConfig(f"{key} must be a string")
    return raw
