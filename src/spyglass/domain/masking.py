"""Masking: personal data and secrets replaced in inputs, outputs and metadata before anything is stored.

A project's policy names built-in rule sets and may add its own patterns. They run on RE2 (domain/patterns.py), so
matching time is linear and no project's pattern can stall the writer. Every string of a JSON value is masked (keys
too); numbers and booleans are left alone. A match becomes `[REDACTED:<rule>]`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spyglass.domain.lifecycle import DataPolicy, PolicyError
from spyglass.domain.patterns import PatternError, SafePattern, compile_safe

# name -> (pattern, what it catches), applied in this order (a card number is not also a phone number); patterns
# are case-sensitive unless they say (?i).
BUILTIN_RULES: dict[str, tuple[str, str]] = {
    "email": (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", "email addresses"),
    "api_key": (
        r"\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{30,}|\bxox[abprs]-[A-Za-z0-9-]{10,}"
        r"|(?i:bearer)\s+[A-Za-z0-9._~+/-]{20,}=*",
        "API keys and tokens (sk-/pk-, AWS, GitHub, Slack, bearer tokens)",
    ),
    "credit_card": (r"\b(?:\d[ -]?){12,18}\d\b", "card numbers (13 to 19 digits, spaces or dashes allowed)"),
    "ipv4": (r"\b(?:\d{1,3}\.){3}\d{1,3}\b", "IPv4 addresses"),
    "phone": (
        r"(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\b\d{2,4}[ .-])\d{3,4}[ .-]?\d{3,4}\b",
        "phone numbers with an area code (+49 30 1234567, (555) 123-4567)",
    ),
}
MAX_PATTERNS = 50


@dataclass(frozen=True, slots=True)
class _Rule:
    label: str
    pattern: SafePattern


class Masker:
    """The compiled rules of one policy."""

    def __init__(self, policy: DataPolicy) -> None:
        rules = [_Rule(name, compile_safe(pattern, True)) for name, (pattern, _) in BUILTIN_RULES.items()
                 if name in policy.masking]  # fmt: skip
        rules += [_Rule("custom", compile_safe(p, True)) for p in policy.mask_patterns]
        self._rules = tuple(rules)

    def __bool__(self) -> bool:
        return bool(self._rules)

    def text(self, value: str) -> str:
        for rule in self._rules:
            if rule.pattern.search(value) is not None:
                value = rule.pattern.sub(f"[REDACTED:{rule.label}]", value)
        return value

    def value(self, value: Any) -> Any:
        """`value` with every string inside it masked (a new value; the argument is not changed)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value


def checked_policy(retention_days: int | None, masking: Sequence[str], patterns: Sequence[str]) -> DataPolicy:
    """A DataPolicy from user input; PolicyError naming the bad rule or pattern."""
    unknown = [name for name in masking if name not in BUILTIN_RULES]
    if unknown:
        raise PolicyError(f"unknown masking rule {unknown[0]!r}; the rules are {', '.join(BUILTIN_RULES)}")
    cleaned = [p for p in (p.strip() for p in patterns) if p]
    if len(cleaned) > MAX_PATTERNS:
        raise PolicyError(f"at most {MAX_PATTERNS} masking patterns, got {len(cleaned)}")
    for pattern in cleaned:
        try:
            found = compile_safe(pattern, True).search("")
        except PatternError as exc:
            raise PolicyError(f"masking pattern {pattern[:60]!r} {exc}") from None
        if found is not None:
            raise PolicyError(f"masking pattern {pattern[:60]!r} matches the empty string, so it would mask nothing")
    return DataPolicy(retention_days, tuple(dict.fromkeys(masking)), tuple(dict.fromkeys(cleaned)))
