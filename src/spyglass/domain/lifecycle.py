"""A project's data policy: how long its traces are kept, and what is masked before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Retention is whole days, from one day to about 100 years.
MAX_RETENTION_DAYS = 36_500


class PolicyError(ValueError):
    """A policy that cannot be applied; the message names the setting."""


@dataclass(frozen=True, slots=True)
class DataPolicy:
    retention_days: int | None = None
    masking: tuple[str, ...] = ()  # names of built-in rule sets (domain/masking.py)
    mask_patterns: tuple[str, ...] = field(default=())  # the project's own regular expressions (RE2 syntax)

    def __post_init__(self) -> None:
        if self.retention_days is not None and not 1 <= self.retention_days <= MAX_RETENTION_DAYS:
            raise PolicyError(f"retention must be from 1 to {MAX_RETENTION_DAYS} days, got {self.retention_days}")

    def cutoff(self, now: datetime) -> datetime | None:
        """Traces from before this moment are past retention (None: kept forever)."""
        return None if self.retention_days is None else now - timedelta(days=self.retention_days)

    @property
    def masks(self) -> bool:
        return bool(self.masking or self.mask_patterns)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What one purge batch deleted; `media_ids` are files no trace refers to any more, for the caller to remove."""

    traces: int = 0
    observations: int = 0
    scores: int = 0
    media_ids: tuple[str, ...] = ()

    def __add__(self, other: PurgeReport) -> PurgeReport:
        return PurgeReport(
            self.traces + other.traces,
            self.observations + other.observations,
            self.scores + other.scores,
            self.media_ids + other.media_ids,
        )

    @property
    def empty(self) -> bool:
        return not (self.traces or self.observations or self.scores or self.media_ids)
