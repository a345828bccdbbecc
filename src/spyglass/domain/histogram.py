"""Histogram bins that fit the data (pure): whole-number values get one bin per value when they fit, so scores of
1 to 5 show five bars labelled 1..5, not ten bins between 4 and 5. Used by the score distributions and the metrics
API's `histogram` aggregation on every backend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bins:
    """`count` bins of `width` from `lo`; the last bin also holds its upper edge. `integral`: whole-number bins."""

    lo: float
    width: float
    count: int
    integral: bool

    def lower(self, index: int) -> float:
        return self.lo + index * self.width

    def upper(self, index: int) -> float:
        return self.lo + (index + 1) * self.width

    def index_of(self, value: float) -> int:
        """The bin holding `value` (values outside the range land in the first or last bin)."""
        if self.width <= 0:
            return 0
        return max(0, min(self.count - 1, math.floor((value - self.lo) / self.width)))

    def label(self, index: int) -> str:
        if self.integral:
            return f"{self.lower(index):.0f}"
        if self.width <= 0:
            return f"{self.lo:.3g}"
        return f"{self.lower(index):.3g}–{self.upper(index):.3g}"


def fit_bins(lo: float, hi: float, integral: bool, max_bins: int = 10) -> Bins:
    """Bins for values from `lo` to `hi`. Whole numbers (`integral`) spanning at most `max_bins` values get one bin
    per value; other data gets `max_bins` equal bins; a single distinct value gets one bin."""
    max_bins = max(1, max_bins)
    if hi <= lo:
        return Bins(lo, 1.0 if integral else 0.0, 1, integral)
    if integral and hi - lo + 1 <= max_bins:
        return Bins(lo, 1.0, int(hi - lo) + 1, True)
    return Bins(lo, (hi - lo) / max_bins, max_bins, False)
