"""Chart geometry for server-rendered SVG: line charts over time and horizontal bar charts (score histograms, cost
per model, ...). Pure functions from figures to coordinates; templates/_charts.html draws them, so charts read
without JavaScript and every label stays escaped by the template engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import Environment

from spyglass.domain.listing import Bucket
from spyglass.domain.metrics import TIME_DIMENSION, MetricsRow
from spyglass.query.dashboard import TracePoint
from spyglass.query.widgets import WidgetResult

WIDTH, HEIGHT = 600, 170
LEFT, RIGHT, TOP, BOTTOM = 52, 22, 10, 22
SERIES_CLASSES = 6  # s0..s5 in app.css


@dataclass(frozen=True, slots=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    title: str


@dataclass(frozen=True, slots=True)
class LinePath:
    name: str
    d: str
    css: str
    dots: tuple[Dot, ...]


@dataclass(frozen=True, slots=True)
class LineChart:
    width: int
    height: int
    paths: tuple[LinePath, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    empty: bool
    baseline: float


@dataclass(frozen=True, slots=True)
class BarRow:
    label: str
    text: str
    width: float
    y: float


@dataclass(frozen=True, slots=True)
class BarChart:
    height: int
    rows: tuple[BarRow, ...]
    empty: bool


def number(value: float) -> str:
    """Short figures for axes and bars: 1.2k, 3.4M, 0.25."""
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.3g}M"
    if magnitude >= 1e3:
        return f"{value / 1e3:.3g}k"
    if magnitude == 0 or magnitude >= 1:
        return f"{value:.3g}"
    return f"{value:.2g}"


def money(value: float) -> str:
    if value == 0 or abs(value) >= 1000:
        return "$" + number(value)
    return f"${value:.6f}".rstrip("0").rstrip(".") if abs(value) < 1 else f"${value:,.2f}"


def millis(value: float) -> str:
    return f"{value / 1000:.3g} s" if value >= 1000 else f"{value:.0f} ms"


def percent(value: float) -> str:
    return f"{value * 100:.3g}%"


FORMATS: dict[str, Callable[[float], str]] = {"number": number, "money": money, "ms": millis, "percent": percent}


def _nice_top(value: float) -> float:
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _time_label(moment: datetime, span_seconds: float) -> str:
    if span_seconds <= 2 * 86400:
        return moment.strftime("%H:%M")
    if span_seconds <= 400 * 86400:
        return moment.strftime("%m-%d")
    return moment.strftime("%Y-%m")


def line_chart(
    series: Sequence[tuple[str, Sequence[tuple[datetime, float | None]]]], unit: str = "number"
) -> LineChart:
    """Lines sharing one time axis and a y axis from 0; a None value breaks its line."""
    fmt = FORMATS.get(unit, number)
    times = sorted({t for _, points in series for t, _ in points})
    values = [v for _, points in series for _, v in points if v is not None]
    top = _nice_top(max(values, default=0.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    index = {t: i for i, t in enumerate(times)}

    def x(t: datetime) -> float:
        return LEFT + (plot_w * index[t] / (len(times) - 1) if len(times) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    paths = []
    for n, (name, points) in enumerate(series):
        parts: list[str] = []
        dots: list[Dot] = []
        pen_up = True
        for t, v in sorted(points, key=lambda p: p[0]):
            if v is None:
                pen_up = True
                continue
            parts.append(f"{'M' if pen_up else 'L'}{x(t):.1f},{y(v):.1f}")
            dots.append(Dot(round(x(t), 1), round(y(v), 1), f"{name} {t:%Y-%m-%d %H:%M}: {fmt(v)}"))
            pen_up = False
        paths.append(LinePath(name, " ".join(parts), f"s{n % SERIES_CLASSES}", tuple(dots)))
    span = (times[-1] - times[0]).total_seconds() if len(times) > 1 else 0.0
    step = max(1, math.ceil(len(times) / 6))
    x_ticks = tuple(Tick(round(x(t), 1), _time_label(t, span)) for t in times[::step])
    y_ticks = tuple(Tick(round(y(top * k / 4), 1), fmt(top * k / 4)) for k in range(5))
    return LineChart(WIDTH, HEIGHT, tuple(paths), x_ticks, y_ticks, not values, round(y(0), 1))


def bar_chart(items: Sequence[tuple[str, float]], unit: str = "number", bar_width: float = 150.0) -> BarChart:
    """Horizontal bars, one per item, scaled to the largest value."""
    fmt = FORMATS.get(unit, number)
    top = max((v for _, v in items), default=0.0) or 1.0
    rows = tuple(BarRow(label[:24], fmt(value), round(bar_width * max(value, 0.0) / top, 1), i * 16.0)
                 for i, (label, value) in enumerate(items))  # fmt: skip
    return BarChart(max(16, len(rows) * 16), rows, not rows)


def bucket_chart(buckets: Sequence[Bucket]) -> BarChart:
    """A score distribution's buckets (domain/listing.py) as bars with counts."""
    return bar_chart([(b.label, float(b.count)) for b in buckets])


def points(items: Sequence[object], x: str, y: str) -> list[tuple[Any, Any]]:
    """(x, y) attribute pairs of `items`: the series a chart draws."""
    return [(getattr(i, x), getattr(i, y)) for i in items]


def error_rate_points(items: Sequence[TracePoint]) -> list[tuple[datetime, float | None]]:
    """(time, errors / traces) of trace points; None where a bucket has no traces."""
    return [(p.time, p.errors / p.traces if p.traces else None) for p in items]


def _label(row: MetricsRow, dimensions: Sequence[str]) -> str:
    return " · ".join("(none)" if row.get(d) is None else str(row.get(d)) for d in dimensions) or "all"


def _value(row: MetricsRow, key: str | None) -> float | None:
    value = row.get(key) if key else None
    return float(value) if isinstance(value, (int, float)) else None


def widget_line(result: WidgetResult) -> LineChart:
    """One line per combination of the widget's dimensions (the first six), over its time buckets."""
    series: dict[str, list[tuple[datetime, float | None]]] = {}
    for row in result.rows:
        moment = row.get(TIME_DIMENSION)
        if isinstance(moment, datetime):
            series.setdefault(_label(row, result.dimensions), []).append((moment, _value(row, result.metric)))
    return line_chart(list(series.items())[:SERIES_CLASSES])


def widget_bars(result: WidgetResult) -> BarChart:
    """One bar per row (its dimensions as the label; with a time dimension, the time too)."""
    items = []
    for row in result.rows[:40]:
        moment = row.get(TIME_DIMENSION)
        label = _label(row, result.dimensions)
        if isinstance(moment, datetime):
            label = f"{moment:%Y-%m-%d %H:%M}" + ("" if label == "all" else f" {label}")
        items.append((label, _value(row, result.metric) or 0.0))
    return bar_chart(items)


def widget_number(result: WidgetResult) -> str:
    """The first row's metric, formatted; an em dash when there is none."""
    value = _value(result.rows[0], result.metric) if result.rows else None
    return "—" if value is None else number(value)


def register_charts(env: Environment) -> None:
    """Make the chart builders callable from templates."""
    env.globals.update(
        line_chart=line_chart, bar_chart=bar_chart, bucket_chart=bucket_chart, points=points,
        error_rate_points=error_rate_points, widget_line=widget_line, widget_bars=widget_bars,
        widget_number=widget_number, fmt_number=number, fmt_money=money, fmt_ms=millis, fmt_percent=percent,
    )  # fmt: skip
