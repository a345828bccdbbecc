"""The new-version form -> a validated NewPrompt (domain/prompts.py does the validating), and back for re-display.

Chat messages are rows of (role, content); a row whose role is `placeholder` is a message placeholder named by its
content, and rows with neither role nor content are left out. Config is JSON text; labels and tags are comma lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from spyglass.domain.prompts import InvalidPrompt, NewPrompt, Prompt, is_placeholder, new_prompt
from spyglass.query.prompts import config_json

EMPTY_ROWS = 2  # blank message rows the form offers for new messages
PLACEHOLDER = "placeholder"


@dataclass(frozen=True, slots=True)
class PromptForm:
    """What the form shows (and, after a refused submit, what the person had typed)."""

    name: str
    type: str
    text: str
    messages: tuple[tuple[str, str], ...]
    config: str
    labels: str
    tags: str
    commit_message: str
    existing: bool  # a new version of a stored prompt (the name is fixed) or a new prompt

    @staticmethod
    def from_fields(fields: Mapping[str, Any], roles: Sequence[str], contents: Sequence[str]) -> PromptForm:
        rows = tuple((r, c) for r, c in zip(roles, contents, strict=False) if r.strip() or c.strip())
        return PromptForm(
            name=str(fields.get("name", "")), type=str(fields.get("type", "text")), text=str(fields.get("text", "")),
            messages=rows + (("", ""),) * EMPTY_ROWS, config=str(fields.get("config", "")),
            labels=str(fields.get("labels", "")), tags=str(fields.get("tags", "")),
            commit_message=str(fields.get("commit_message", "")), existing=fields.get("existing") == "1",
        )  # fmt: skip


def blank_form() -> PromptForm:
    return PromptForm("", "text", "", (("system", ""), ("user", ""), *(("", ""),) * EMPTY_ROWS), "{}", "", "", "",
                      existing=False)  # fmt: skip


def form_from_prompt(prompt: Prompt) -> PromptForm:
    """The form filled with `prompt`, for editing into the next version (labels start empty: they move on save)."""
    messages: tuple[tuple[str, str], ...]
    if isinstance(prompt.prompt, str):
        text, messages = prompt.prompt, (("system", ""), ("user", ""))
    else:
        text = ""
        messages = tuple(
            (PLACEHOLDER, str(m.get("name", ""))) if is_placeholder(m)
            else (str(m.get("role", "")), str(m.get("content", "")))
            for m in prompt.prompt
        )  # fmt: skip
    return PromptForm(prompt.name, prompt.type.value, text, messages + (("", ""),) * EMPTY_ROWS,
                      config_json(prompt.config), "", ", ".join(prompt.tags), "", existing=True)  # fmt: skip


def _comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _config(text: str) -> Any:
    if not text.strip():
        return {}
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidPrompt(f"config is not valid JSON: {exc}") from None


def _messages(roles: Sequence[str], contents: Sequence[str]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for role, content in zip(roles, contents, strict=False):
        role = role.strip()
        if not role and not content.strip():
            continue
        if role == PLACEHOLDER:
            messages.append({"type": "placeholder", "name": content.strip()})
        else:
            messages.append({"role": role, "content": content})
    return messages


def new_version(
    fields: Mapping[str, Any], roles: Sequence[str], contents: Sequence[str], author: str
) -> tuple[PromptForm, NewPrompt]:
    """The form as typed and the version it asks for; raises InvalidPrompt naming the first bad field."""
    entered = PromptForm.from_fields(fields, roles, contents)
    kind = entered.type[:20]
    body: Any = _messages(roles, contents) if kind == "chat" else entered.text.replace("\r\n", "\n")
    new = new_prompt(
        name=entered.name.strip(), prompt=body, type=kind, config=_config(entered.config),
        labels=_comma_list(entered.labels),
        tags=_comma_list(entered.tags), commit_message=entered.commit_message.strip() or None, created_by=author,
    )  # fmt: skip
    return entered, new
