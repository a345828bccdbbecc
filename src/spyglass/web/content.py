"""Jinja filters that format figures and content for people: times, durations, money, tokens, score values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from jinja2 import Environment

from spyglass.domain.listing import ScoreBadge
from spyglass.domain.media import INLINE_IMAGES, MediaReference, references
from spyglass.query.content import chat_messages


def when(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def when_iso(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value is not None else ""


def secs(value: float | None) -> str:
    if value is None:
        return ""
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.2f} s"
    return f"{value / 60:.1f} min"


def usd(value: float | None) -> str:
    if value is None:
        return ""
    if value == 0:
        return "$0"
    return f"${value:.6f}".rstrip("0").rstrip(".") if value < 1 else f"${value:,.2f}"


def count(value: int | float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def badge(score: ScoreBadge) -> str:
    if score.value is not None:
        return f"{score.name}: {score.value:.3g}"
    return f"{score.name}: {score.string_value or ''}"


def score_value(value: float | None, string_value: str | None, data_type: str) -> str:
    if data_type == "NUMERIC" and value is not None:
        return f"{value:.4g}"
    return string_value if string_value is not None else ("" if value is None else f"{value:.4g}")


def is_chat(value: Any) -> bool:
    return chat_messages(value) is not None


def media_parts(text: str) -> list[str | MediaReference]:
    """`text` split around its media reference tokens: plain strings and references, in order."""
    parts: list[str | MediaReference] = []
    rest = 0
    for ref in references(text):
        start = text.index(ref.token, rest)
        if start > rest:
            parts.append(text[rest:start])
        parts.append(ref)
        rest = start + len(ref.token)
    if rest < len(text):
        parts.append(text[rest:])
    return parts


def without_paging(query: str) -> str:
    """A list page's query string without its paging and format parameters: the filters alone."""
    return urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=False) if k not in _PAGING])


_PAGING = frozenset({"cursor", "page", "format", "limit"})


def register_filters(env: Environment) -> None:
    env.filters.update(
        without_paging=without_paging, when=when, when_iso=when_iso, secs=secs, usd=usd, count=count, badge=badge
    )
    env.globals.update(
        score_value=score_value,
        chat_messages=chat_messages,
        is_chat=is_chat,
        media_parts=media_parts,
        inline_images=INLINE_IMAGES,
    )
