"""Token usage and cost normalisation (pure).

Clients send usage in many shapes; the store keeps one: `usage_details` (usage key -> count) and `cost_details`
(usage key -> money), each with a `total`. Langfuse's legacy `usage` object, raw OpenAI usage (with cached and
reasoning token details, never counted twice) and Anthropic usage all end up in that shape.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypeVar

from spyglass.domain.bounds import MAX_MONEY, MAX_USAGE_UNITS

_N = TypeVar("_N", int, float)

_LEGACY_COSTS = {"inputCost": "input", "outputCost": "output", "totalCost": "total"}


class UsageError(ValueError):
    """A usage or cost value is not a number."""


def _count(key: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise UsageError(f"usage '{key}' must be a number, got a boolean")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise UsageError(f"usage '{key}' must be a number, got {value[:60]!r}") from None
    if not isinstance(value, (int, float)):
        raise UsageError(f"usage '{key}' must be a number, got {type(value).__name__}")
    if not -MAX_USAGE_UNITS <= value <= MAX_USAGE_UNITS:  # NaN and infinities fail this too
        raise UsageError(f"usage '{key}' must be a number of at most {MAX_USAGE_UNITS:.0e} units, got {value!r}"[:200])
    return int(value)


def _money(key: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise UsageError(f"cost '{key}' must be a number, got {type(value).__name__}")
    try:
        money = float(value)
    except (ValueError, OverflowError):
        raise UsageError(f"cost '{key}' must be a number, got {str(value)[:60]!r}") from None
    if not math.isfinite(money) or abs(money) > MAX_MONEY:
        raise UsageError(f"cost '{key}' must be a finite amount of at most {MAX_MONEY:.0e}, got {str(value)[:60]}")
    return money


# Other keys are kept as sent: Anthropic's cache_read_input_tokens / cache_creation_input_tokens sit beside
# input_tokens (which excludes them), so they are neither split out nor renamed, and prices exist under those names.
_DETAIL_NAMES = {"input_tokens": "input", "output_tokens": "output", "total_tokens": "total"}
_ANTHROPIC_CACHE = frozenset({"cache_read_input_tokens", "cache_creation_input_tokens"})


def _openai(
    raw: Mapping[str, Any], prompt_key: str = "prompt_tokens", completion_key: str = "completion_tokens"
) -> dict[str, int]:
    """OpenAI usage: cached input and reasoning output are split out of their parents, not added on top.

    Chat Completions name the parents prompt_tokens/completion_tokens, the Responses API input_tokens/output_tokens;
    both nest the details under `<parent>_details`.
    """
    out: dict[str, int] = {}
    prompt = _count(prompt_key, raw.get(prompt_key)) or 0
    completion = _count(completion_key, raw.get(completion_key)) or 0
    prompt_details = raw.get(f"{prompt_key}_details") or {}
    completion_details = raw.get(f"{completion_key}_details") or {}
    if not isinstance(prompt_details, Mapping) or not isinstance(completion_details, Mapping):
        raise UsageError(f"usage '{prompt_key}_details' and '{completion_key}_details' must be objects")
    for key, value in dict(prompt_details).items():
        count = _count(f"{prompt_key}_details.{key}", value) or 0
        if count:
            name = "input_cached_tokens" if key == "cached_tokens" else f"input_{key}"
            out[name] = count
            prompt -= count
    for key, value in dict(completion_details).items():
        count = _count(f"{completion_key}_details.{key}", value) or 0
        if count:
            out[f"output_{key}"] = count
            completion -= count
    out["input"] = max(prompt, 0)
    out["output"] = max(completion, 0)
    total = _count("total_tokens", raw.get("total_tokens"))
    if total is not None:
        out["total"] = total
    return out


def normalize_usage(
    usage: Mapping[str, Any] | None, usage_details: Mapping[str, Any] | None
) -> tuple[dict[str, int], dict[str, float]]:
    """Return (usage_details, cost_details) from a legacy `usage` object and/or a `usageDetails` map.

    `usage_details` wins key by key over the legacy object. Totals are added when missing (sum of the other keys).
    Raises UsageError naming the key when a value is not a number.
    """
    details: dict[str, int] = {}
    costs: dict[str, float] = {}
    if usage:
        if "prompt_tokens" in usage or "completion_tokens" in usage:
            details.update(_openai(usage))
        else:
            for key in ("input", "output", "total"):
                count = _count(key, usage.get(key))
                if count is not None:
                    details[key] = count
            for key, target in (
                ("promptTokens", "input"),
                ("completionTokens", "output"),
                ("totalTokens", "total"),
            ):
                count = _count(key, usage.get(key))
                if count is not None:
                    details.setdefault(target, count)
        for key, target in _LEGACY_COSTS.items():
            money = _money(key, usage.get(key))
            if money is not None:
                costs[target] = money
    if usage_details:
        if "prompt_tokens" in usage_details or "completion_tokens" in usage_details:
            details.update(_openai(usage_details))
        elif "input_tokens_details" in usage_details or "output_tokens_details" in usage_details:
            details.update(_openai(usage_details, "input_tokens", "output_tokens"))
        else:
            for key, value in usage_details.items():
                if isinstance(value, Mapping):
                    continue
                name = _DETAIL_NAMES.get(key, key)
                count = _count(key, value)
                if count is not None:
                    details[name] = count
    return with_total(details), with_total(costs)


def normalize_costs(cost_details: Mapping[str, Any] | None) -> dict[str, float]:
    """Validate a `costDetails` map (usage key -> money). Raises UsageError naming a bad key."""
    out: dict[str, float] = {}
    for key, value in (cost_details or {}).items():
        money = _money(key, value)
        if money is not None:
            out[key] = money
    return with_total(out)


def with_total(values: dict[str, _N]) -> dict[str, _N]:
    """Add `total` as the sum of the other keys when it is missing and there is anything to sum."""
    if values and "total" not in values:
        values["total"] = sum(v for k, v in values.items() if k != "total")
    return values


def token_totals(usage_details: Mapping[str, int]) -> tuple[int, int, int]:
    """(input, output, total) tokens of one observation: every `input*` key counts as input, `output*` as output,
    and so do Anthropic's cache reads and writes, which are input billed beside `input_tokens`."""
    inp = sum(v for k, v in usage_details.items() if k.startswith("input") or k in _ANTHROPIC_CACHE)
    out = sum(v for k, v in usage_details.items() if k.startswith("output"))
    total = usage_details.get("total", inp + out)
    return inp, out, total
