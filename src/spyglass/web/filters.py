"""Query strings of the list pages -> domain queries, with 400s that name the parameter.

The URL is the whole state of a view (filters, sort, page cursor), so a link shares exactly what one sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from spyglass.domain.bounds import MAX_TAG_FILTERS
from spyglass.domain.cursor_pages import ScoreQuery
from spyglass.domain.listing import GenerationQuery, SortField, TraceQuery
from spyglass.web.auth import WebError

PRESETS = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "24h": timedelta(days=1),
           "7d": timedelta(days=7), "30d": timedelta(days=30), "90d": timedelta(days=90)}  # fmt: skip
LEVELS = ("DEBUG", "DEFAULT", "WARNING", "ERROR")
PAGE_SIZES = (25, 50, 100)


@dataclass(frozen=True, slots=True)
class ListState:
    """What the filter form shows: every parameter as given, plus the parsed sort and page size."""

    params: dict[str, str]
    sort: str
    order: str
    limit: int
    base_query: str  # the params as a query string, without the page cursor


def _text(params: QueryParams, name: str) -> str | None:
    value = params.get(name, "").strip()
    return value or None


def _time(params: QueryParams, name: str) -> datetime | None:
    return parse_time(_text(params, name) or "", name)


def parse_time(value: str, name: str) -> datetime | None:
    """A date and time typed into a form (UTC unless it says otherwise); None when empty; 400 naming `name`."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T") if "T" not in value and " " in value else value)
    except ValueError:
        raise WebError(400, f"{name} must be a date and time such as 2026-01-31T12:00, got {value[:40]!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _number(params: QueryParams, name: str) -> float | None:
    value = _text(params, name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise WebError(400, f"{name} must be a number, got {value[:40]!r}") from None


def _window(params: QueryParams) -> tuple[datetime | None, datetime | None]:
    preset = _text(params, "range")
    if preset and preset != "custom" and preset != "all":
        if preset not in PRESETS:
            raise WebError(400, f"range must be one of {', '.join(PRESETS)}, custom or all, got {preset[:20]!r}")
        return datetime.now(UTC) - PRESETS[preset], None
    return _time(params, "from"), _time(params, "to")


def _sort(params: QueryParams) -> tuple[SortField, bool]:
    sort = _text(params, "sort") or "timestamp"
    order = _text(params, "order") or "desc"
    try:
        field = SortField(sort)
    except ValueError:
        raise WebError(400, f"sort must be one of {', '.join(SortField)}, got {sort[:20]!r}") from None
    if order not in ("asc", "desc"):
        raise WebError(400, f"order must be asc or desc, got {order[:20]!r}")
    return field, order == "desc"


def _level(params: QueryParams) -> str | None:
    level = _text(params, "level")
    if level is not None and level.upper() not in LEVELS:
        raise WebError(400, f"level must be one of {', '.join(LEVELS)}, got {level[:20]!r}")
    return level.upper() if level else None


def page_size(params: QueryParams) -> int:
    value = _text(params, "limit") or "50"
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 200:
        raise WebError(400, f"limit must be a whole number from 1 to 200, got {value[:20]!r}")
    return int(value)


def state(params: QueryParams) -> ListState:
    field, descending = _sort(params)
    kept = {k: v for k, v in params.items() if v != "" and k not in ("cursor", "format")}
    return ListState(kept, field.value, "desc" if descending else "asc", page_size(params), urlencode(kept))


def trace_query(params: QueryParams) -> TraceQuery:
    start, end = _window(params)
    field, descending = _sort(params)
    tags = tuple(t.strip() for raw in params.getlist("tag") for t in raw.split(",") if t.strip())
    if len(tags) > MAX_TAG_FILTERS:
        raise ValueError(f"a list may require at most {MAX_TAG_FILTERS} tags, got {len(tags)}")
    return TraceQuery(
        from_timestamp=start, to_timestamp=end, name=_text(params, "name"), user_id=_text(params, "user"),
        session_id=_text(params, "session"), tags=tags, level=_level(params),
        environment=_text(params, "environment"), release=_text(params, "release"),
        version=_text(params, "version"), score_name=_text(params, "score"), score_min=_number(params, "score_min"),
        score_max=_number(params, "score_max"), search=_text(params, "q"),
        bookmarked=params.get("bookmarked") in ("1", "on", "true"), sort=field, descending=descending,
    )  # fmt: skip


def generation_query(params: QueryParams) -> GenerationQuery:
    start, end = _window(params)
    field, descending = _sort(params)
    return GenerationQuery(
        from_timestamp=start, to_timestamp=end, name=_text(params, "name"), model=_text(params, "model"),
        user_id=_text(params, "user"), level=_level(params), environment=_text(params, "environment"),
        prompt_name=_text(params, "prompt"), sort=field, descending=descending,
    )  # fmt: skip


def score_query(params: QueryParams) -> ScoreQuery:
    """The scores table's filters (name, source, data type, trace) as a ScoreQuery; ValueError naming a bad one."""
    choices = {"source": ("API", "ANNOTATION", "EVAL"), "data_type": ("NUMERIC", "CATEGORICAL", "BOOLEAN")}
    picked: dict[str, tuple[str, ...]] = {}
    for field, allowed in choices.items():
        choice = (_text(params, field) or "").upper()
        if choice and choice not in allowed:
            raise ValueError(f"{field} must be one of {', '.join(allowed)}, got {choice[:20]!r}")
        picked[field] = (choice,) if choice else ()
    if _text(params, "user"):
        raise ValueError("the scores export does not filter by user; filter the traces export by user instead")
    name, trace = _text(params, "name"), _text(params, "trace")
    return ScoreQuery(names=(name,) if name else (), sources=picked["source"], data_types=picked["data_type"],
                      trace_ids=(trace,) if trace else ())  # fmt: skip
