"""Read-side cost and usage figures: daily metrics, roll-ups per group, and what a re-pricing changed.

Money is USD as float; token counts are ints; days are UTC calendar dates of the trace timestamp.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class ModelUsage:
    """One model's share of a day (or of any group): observations with that model name."""

    model: str | None
    input_usage: int = 0
    output_usage: int = 0
    total_usage: int = 0
    count_traces: int = 0
    count_observations: int = 0
    total_cost: float = 0.0


@dataclass(frozen=True, slots=True)
class DailyMetrics:
    """One UTC day of traces: counts, cost (sum of the traces' observation costs) and usage per model."""

    date: date
    count_traces: int
    count_observations: int
    total_cost: float
    usage: tuple[ModelUsage, ...] = ()


class CostGroup(enum.StrEnum):
    """What a cost roll-up is grouped by."""

    SESSION = "session"
    USER = "user"
    MODEL = "model"
    TRACE_NAME = "trace_name"
    DAY = "day"


@dataclass(frozen=True, slots=True)
class CostRollup:
    """Totals of one group (a session id, user id, model name, trace name or ISO day; None for "not set")."""

    key: str | None
    count_traces: int
    count_observations: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    total_cost: float


@dataclass(frozen=True, slots=True)
class RecomputeReport:
    """What `costs recompute` did: rows looked at, rows whose cost changed, and the change in money (new - old)."""

    examined: int
    changed: int
    cost_before: float
    cost_after: float
    traces_touched: int
    dry_run: bool = False

    @property
    def delta(self) -> float:
        return self.cost_after - self.cost_before


def describe_recompute(report: RecomputeReport) -> str:
    """One line a person reads (the CLI prints it, the model prices page shows it): rows looked at, rows changed,
    money before and after."""
    verb = "would change" if report.dry_run else "changed"
    sign = "+" if report.delta >= 0 else "-"
    return (
        f"Examined {report.examined} generations; {verb} {report.changed} "
        f"(on {report.traces_touched} traces): cost {report.cost_before:.6f} -> {report.cost_after:.6f} USD "
        f"({sign}{abs(report.delta):.6f} USD)."
    )
