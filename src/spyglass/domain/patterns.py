"""User-supplied regular expressions (model `matchPattern`, pricing-tier `usageDetailPattern`), safe by construction.

They run on Google's RE2 engine, whose matching time is linear in the text, so no pattern (`^(a+)+$` included) can
stall the writer. RE2 refuses what it cannot run in linear time (backreferences, lookaround): such a pattern is
rejected when the definition is created. Patterns are searched case-insensitively unless asked otherwise; inline
flags such as Langfuse's leading `(?i)` work as in Python.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

import re2

MAX_PATTERN = 1000  # characters


class PatternError(ValueError):
    """The pattern cannot be used; the message says why."""


class SafePattern(Protocol):
    def search(self, text: str) -> object | None: ...

    def sub(self, replacement: str, text: str) -> str: ...


@lru_cache(maxsize=4096)
def compile_safe(pattern: str, case_sensitive: bool = False) -> SafePattern:
    """Compile with RE2. Raises PatternError for a pattern RE2 cannot run or one over MAX_PATTERN characters."""
    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"is {len(pattern)} characters, over the {MAX_PATTERN}-character limit")
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = case_sensitive
    try:
        compiled: SafePattern = re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PatternError(
            f"is not a valid regular expression for the linear-time engine ({reason}); backreferences and"
            " lookaround are not supported"
        ) from None
    return compiled
