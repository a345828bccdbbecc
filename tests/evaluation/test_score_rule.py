"""The one rule a score naming a config meets (domain/score_configs.py), value by value."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from spyglass.domain.score_configs import (
    Category,
    ConfigDataType,
    ScoreConfig,
    ScoreRejected,
    score_value,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)
NUMERIC = ScoreConfig("n", "p", "accuracy", ConfigDataType.NUMERIC, NOW, NOW, min_value=0, max_value=1)
OPEN = ScoreConfig("o", "p", "latency", ConfigDataType.NUMERIC, NOW, NOW)
TONE = ScoreConfig("t", "p", "tone", ConfigDataType.CATEGORICAL, NOW, NOW,
                   categories=(Category("rude", 0), Category("polite", 1), Category("2", 5)))  # fmt: skip
FLAG = ScoreConfig("b", "p", "ok", ConfigDataType.BOOLEAN, NOW, NOW)


@pytest.mark.parametrize(
    ("config", "value", "data_type", "stored"),
    [
        (NUMERIC, 0, None, ("NUMERIC", 0.0, None)),
        (NUMERIC, 1, "numeric", ("NUMERIC", 1.0, None)),
        (OPEN, -1e9, None, ("NUMERIC", -1e9, None)),
        (TONE, "polite", None, ("CATEGORICAL", 1.0, "polite")),
        (TONE, 0, "CATEGORICAL", ("CATEGORICAL", 0.0, "rude")),
        (TONE, "2", None, ("CATEGORICAL", 5.0, "2")),  # a label that looks like a number is still a label
        (FLAG, 1, None, ("BOOLEAN", 1.0, "True")),
        (FLAG, "false", "BOOLEAN", ("BOOLEAN", 0.0, "False")),
        (FLAG, True, None, ("BOOLEAN", 1.0, "True")),
    ],
)
def test_values_that_fit(config: ScoreConfig, value: Any, data_type: str | None, stored: tuple[Any, ...]) -> None:
    assert score_value(config, value, data_type) == stored


@pytest.mark.parametrize(
    ("config", "value", "data_type", "message"),
    [
        (NUMERIC, 1.01, None, "above maxValue 1"),
        (NUMERIC, -0.5, None, "below minValue 0"),
        (NUMERIC, "0.5", None, "must be a number"),
        (NUMERIC, True, None, "must be a number"),
        (NUMERIC, 0.5, "BOOLEAN", "dataType BOOLEAN does not match"),
        (TONE, "POLITE", None, "not a category"),
        (TONE, 3, None, "not a category"),
        (FLAG, 2, None, "0 or 1"),
        (FLAG, "yes", None, "0 or 1"),
    ],
)
def test_values_that_do_not(config: ScoreConfig, value: Any, data_type: str | None, message: str) -> None:
    with pytest.raises(ScoreRejected, match=message):
        score_value(config, value, data_type)


def test_an_archived_config_takes_no_scores() -> None:
    archived = ScoreConfig("n", "p", "accuracy", ConfigDataType.NUMERIC, NOW, NOW, is_archived=True)
    with pytest.raises(ScoreRejected, match="archived"):
        score_value(archived, 0.5, None)
