"""Prompts under version control: types, input validation and label rules (pure; no I/O, no wire or row shapes).

A prompt is a name with versions 1, 2, ... in a project. Each version holds a text body (`text`) or a list of chat
messages (`chat`, where 3.x+ SDKs may also use `{"type": "placeholder", "name": ...}` entries), any JSON `config`
and a commit message. Labels point at one version of a name each: `latest` is kept by the store on the newest
version, `production` is the label served by default, and assigning a label to a version moves it there. Tags belong
to the prompt, so every version shows the same tags.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spyglass.domain.model import Observation, Score

LATEST = "latest"
PRODUCTION = "production"

MAX_NAME_LENGTH = 255
MAX_LABEL_LENGTH = 36
MAX_TAG_LENGTH = 100

# Langfuse's own label rule: lowercase letters, digits, '_', '-' and '.'.
_LABEL = re.compile(r"^[a-z0-9_.\-]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class PromptType(enum.StrEnum):
    TEXT = "text"
    CHAT = "chat"


class InvalidPrompt(ValueError):
    """Input that cannot become a prompt version; the message names the field and the problem."""


# A chat message is `{"role", "content", ...}` or a placeholder `{"type": "placeholder", "name"}`; a text body is a str.
PromptBody = str | list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Prompt:
    """One version of a prompt, with the labels on it and the prompt's tags."""

    id: str
    project_id: str
    name: str
    version: int
    type: PromptType
    prompt: PromptBody
    config: Any
    labels: tuple[str, ...]
    tags: tuple[str, ...]
    commit_message: str | None
    created_at: datetime
    updated_at: datetime
    created_by: str | None = None

    @property
    def has_placeholders(self) -> bool:
        return isinstance(self.prompt, list) and any(is_placeholder(m) for m in self.prompt)


@dataclass(frozen=True, slots=True)
class PromptMeta:
    """A prompt in a list: the versions matching the filter, their labels, and the newest matching config."""

    name: str
    type: PromptType
    versions: tuple[int, ...]
    labels: tuple[str, ...]
    tags: tuple[str, ...]
    last_updated_at: datetime
    last_config: Any


@dataclass(frozen=True, slots=True)
class NewPrompt:
    """A validated request for the next version of `name`. `tags` None keeps the prompt's tags as they are."""

    name: str
    type: PromptType
    prompt: PromptBody
    config: Any = None
    labels: tuple[str, ...] = ()
    tags: tuple[str, ...] | None = None
    commit_message: str | None = None
    created_by: str | None = None


@dataclass(frozen=True, slots=True)
class PromptFilter:
    """List filters; each narrows the versions considered (a prompt is listed when any version matches)."""

    name: str | None = None
    search: str | None = None  # any part of the name, case-insensitive (the UI's search box)
    label: str | None = None
    tag: str | None = None
    from_updated_at: datetime | None = None
    to_updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """Scores of one name on the generations of a prompt version (`target` observation) or on their traces."""

    name: str
    target: str  # "observation" or "trace"
    count: int
    average: float | None  # over numeric and boolean values; None when all are categorical


@dataclass(frozen=True, slots=True)
class PromptUsage:
    """Roll-up of the generations linked to one prompt version. Latency in seconds, cost in USD."""

    name: str
    version: int
    generation_count: int
    trace_count: int
    average_latency: float | None
    p50_latency: float | None
    p95_latency: float | None
    input_tokens: int
    output_tokens: int
    total_tokens: int
    total_cost: float
    first_used_at: datetime | None
    last_used_at: datetime | None
    scores: tuple[ScoreSummary, ...]


@dataclass(frozen=True, slots=True)
class PromptGeneration:
    """A generation linked to a prompt version, with its own scores and the trace-level scores of its trace."""

    observation: Observation
    scores: tuple[Score, ...]
    trace_scores: tuple[Score, ...]


def is_placeholder(message: Mapping[str, Any]) -> bool:
    return message.get("type") == "placeholder"


def validate_name(name: Any) -> str:
    """A prompt name: non-empty, at most 255 characters, no control characters, folders as `a/b` without empty parts."""
    if not isinstance(name, str):
        raise InvalidPrompt("name must be a string")
    if not name.strip():
        raise InvalidPrompt("name must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidPrompt(f"name must be at most {MAX_NAME_LENGTH} characters, got {len(name)}")
    if _CONTROL.search(name):
        raise InvalidPrompt("name must not contain control characters")
    if name != name.strip():
        raise InvalidPrompt(f"name must not start or end with whitespace: {name!r}")
    if any(part == "" for part in name.split("/")):
        raise InvalidPrompt(f"name {name!r} has an empty folder part: do not start, end or double a '/'")
    return name


def validate_label(label: Any) -> str:
    if not isinstance(label, str) or not label:
        raise InvalidPrompt("a label must be a non-empty string")
    if len(label) > MAX_LABEL_LENGTH:
        raise InvalidPrompt(f"label {label[:40]!r} is longer than {MAX_LABEL_LENGTH} characters")
    if not _LABEL.match(label):
        raise InvalidPrompt(
            f"label {label!r} is not allowed: use lowercase letters, digits, '_', '-' and '.' (no spaces)"
        )
    return label


def validate_labels(labels: Any, field: str = "labels") -> tuple[str, ...]:
    """Distinct labels in their given order; None is no labels."""
    if labels is None:
        return ()
    if not isinstance(labels, list | tuple):
        raise InvalidPrompt(f"{field} must be a list of strings")
    return _distinct(validate_label(label) for label in labels)


def validate_tags(tags: Any) -> tuple[str, ...] | None:
    """Distinct tags; None (or a missing key) means "keep the prompt's tags"."""
    if tags is None:
        return None
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        raise InvalidPrompt("tags must be a list of strings")
    for tag in tags:
        if not tag.strip() or len(tag) > MAX_TAG_LENGTH:
            raise InvalidPrompt(f"tag {tag[:40]!r} must be 1 to {MAX_TAG_LENGTH} characters")
    return _distinct(tags)


def validate_type(value: Any) -> PromptType:
    """`text` or `chat`; None means text (5.x SDKs leave the key out for text prompts)."""
    if value is None:
        return PromptType.TEXT
    try:
        return PromptType(value)
    except ValueError:
        raise InvalidPrompt(f"type must be 'text' or 'chat', got {value!r}") from None


def validate_body(kind: PromptType, body: Any) -> PromptBody:
    """A text body is a string; a chat body is a non-empty list of messages or placeholders."""
    if kind is PromptType.TEXT:
        if not isinstance(body, str):
            raise InvalidPrompt("a text prompt must be a string (send type 'chat' for a list of messages)")
        return body
    if not isinstance(body, list) or not body:
        raise InvalidPrompt("a chat prompt must be a non-empty list of messages like {'role': ..., 'content': ...}")
    messages: list[dict[str, Any]] = []
    for index, message in enumerate(body):
        if not isinstance(message, Mapping):
            raise InvalidPrompt(f"prompt[{index}] must be a message object, got {type(message).__name__}")
        if is_placeholder(message):
            name = message.get("name")
            if not isinstance(name, str) or not name.strip():
                raise InvalidPrompt(f"prompt[{index}] is a placeholder and needs a non-empty string 'name'")
        else:
            kind_of = message.get("type")
            if kind_of not in (None, "chatmessage"):
                raise InvalidPrompt(f"prompt[{index}].type must be 'chatmessage' or 'placeholder', got {kind_of!r}")
            role, content = message.get("role"), message.get("content")
            if not isinstance(role, str) or not role.strip():
                raise InvalidPrompt(f"prompt[{index}].role must be a non-empty string")
            if not isinstance(content, str):
                raise InvalidPrompt(f"prompt[{index}].content must be a string")
        messages.append(dict(message))
    return messages


def new_prompt(
    *,
    name: Any,
    prompt: Any,
    type: Any = None,
    config: Any = None,
    labels: Any = None,
    tags: Any = None,
    commit_message: Any = None,
    created_by: str | None = None,
) -> NewPrompt:
    """Validate the parts of a create request. Raises InvalidPrompt naming the first bad field."""
    kind = validate_type(type)
    if commit_message is not None and not isinstance(commit_message, str):
        raise InvalidPrompt("commitMessage must be a string or null")
    return NewPrompt(
        name=validate_name(name),
        type=kind,
        prompt=validate_body(kind, prompt),
        config={} if config is None else config,
        labels=validate_labels(labels),
        tags=validate_tags(tags),
        commit_message=commit_message,
        created_by=created_by,
    )


def labels_after_create(requested: Sequence[str]) -> tuple[str, ...]:
    """The labels a new version carries: the requested ones plus `latest`."""
    return _distinct([*requested, LATEST])


def check_assignable(labels: Sequence[str], *, version: int, newest: int) -> None:
    """`latest` is the server's to place: assigning it anywhere but the newest version is refused."""
    if LATEST in labels and version != newest:
        raise InvalidPrompt(f"the label 'latest' always marks the newest version ({newest}); it cannot be set by hand")


def without_placeholders(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Chat messages with the placeholders left out, for clients whose message model has no placeholders."""
    return [dict(m) for m in messages if not is_placeholder(m)]


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
