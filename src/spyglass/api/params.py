"""Query-parameter parsing shared by the read routes, with 400s that name the parameter."""

from __future__ import annotations

from datetime import UTC, datetime

from spyglass.api.errors import ApiError
from spyglass.domain.bounds import MAX_TAG_FILTERS
from spyglass.store.base import PageRequest

MAX_LIMIT = 1000
MAX_PAGE = 1_000_000_000


def page_request(page: int | None, limit: int | None, default_limit: int = 50) -> PageRequest:
    page = 1 if page is None or page == 0 else page
    limit = default_limit if limit is None else limit
    if page < 1:
        raise ApiError(400, f"page must be 1 or more, got {page}")
    if page > MAX_PAGE:  # the offset must fit SQLite's 64-bit integers (an OverflowError would be a 500)
        raise ApiError(400, f"page must be at most {MAX_PAGE}, got {page}")
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    return PageRequest(page=page, limit=limit)


def timestamp(name: str, value: str | None) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        raise ApiError(400, f"{name} is not an ISO-8601 timestamp: {value[:60]!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def tag_filter(tags: list[str]) -> tuple[str, ...]:
    """The `tags` query parameter (every tag must be on a trace), at most MAX_TAG_FILTERS of them."""
    if len(tags) > MAX_TAG_FILTERS:
        raise ApiError(400, f"tags may name at most {MAX_TAG_FILTERS} tags, got {len(tags)}")
    return tuple(tags)


def order_by(value: str | None, allowed: set[str]) -> tuple[str, bool]:
    """Langfuse's `orderBy=field.asc|desc` as (field, descending)."""
    if not value:
        return "timestamp", True
    field, _, direction = value.partition(".")
    direction = direction or "desc"
    if field not in allowed or direction not in ("asc", "desc"):
        raise ApiError(400, f"orderBy must be one of {sorted(allowed)} followed by .asc or .desc, got {value!r}")
    return field, direction == "desc"
