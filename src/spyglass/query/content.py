"""How stored input and output read best: a chat conversation when they hold role-tagged messages (OpenAI,
Anthropic and Langfuse shapes), otherwise plain JSON. Pure functions; no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One turn of a conversation: `text` is the readable part; `extra` holds the rest (tool calls, images)."""

    role: str
    text: str | None
    extra: Any = None
    name: str | None = None


def _is_message(item: Any) -> bool:
    return isinstance(item, Mapping) and isinstance(item.get("role"), str) and (
        "content" in item or "tool_calls" in item or "function_call" in item or "parts" in item
    )  # fmt: skip


def _message(item: Mapping[str, Any]) -> ChatMessage:
    content = item.get("content", item.get("parts"))
    extra: dict[str, Any] = {k: v for k, v in item.items() if k not in ("role", "content", "parts", "name")}
    text: str | None
    if isinstance(content, str):
        text = content
    elif isinstance(content, Sequence) and not isinstance(content, (str, bytes)):
        texts: list[str] = []
        others: list[Any] = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, Mapping) and isinstance(part.get("text"), str):
                texts.append(part["text"])
            else:
                others.append(part)
        text = "\n".join(texts) if texts else None
        if others:
            extra["content"] = others
    elif content is None:
        text = None
    else:
        text = None
        extra["content"] = content
    name = item.get("name")
    return ChatMessage(str(item["role"]), text, extra or None, name if isinstance(name, str) else None)


def chat_messages(value: Any) -> tuple[ChatMessage, ...] | None:
    """The messages of a chat-shaped value, in order; None when `value` is not chat-shaped."""
    if isinstance(value, Mapping):
        if _is_message(value):
            return (_message(value),)
        messages = value.get("messages")
        if isinstance(messages, list) and messages and all(_is_message(m) for m in messages):
            return tuple(_message(m) for m in messages)
        choices = value.get("choices")
        if isinstance(choices, list) and choices and all(isinstance(c, Mapping) for c in choices):
            found = [c.get("message") for c in choices]
            if all(_is_message(m) for m in found):
                return tuple(_message(m) for m in found if isinstance(m, Mapping))
        return None
    if isinstance(value, list) and value and all(_is_message(m) for m in value):
        return tuple(_message(m) for m in value)
    return None


def last_user_text(value: Any) -> str | None:
    """The last user message of a chat input (the question of a turn), else a plain string input."""
    if isinstance(value, str):
        return value
    messages = chat_messages(value)
    if not messages:
        return None
    for message in reversed(messages):
        if message.role == "user" and message.text:
            return message.text
    return messages[-1].text


def assistant_text(value: Any) -> str | None:
    """The answer of a turn: a plain string output, or the last message's text."""
    if isinstance(value, str):
        return value
    messages = chat_messages(value)
    if messages:
        return messages[-1].text
    return None
