"""Price matching, cost arithmetic, offline token counting and usage normalisation (pure domain functions)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from spyglass.domain.pricing import (
    ModelDefinition,
    PriceBook,
    PricingTier,
    UsageCondition,
    builtin_models,
    compute_cost,
    price_record,
)
from spyglass.domain.tokens import MAX_EXACT_CHARS, count_text, count_usage, encoding_name
from spyglass.domain.usage import normalize_usage

BOOK = PriceBook(builtin_models())


def _us(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() * 1_000_000)


def test_every_builtin_definition_says_when_and_where_its_price_comes_from() -> None:
    models = builtin_models()
    assert len(models) > 40
    for model in models:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", model.price_date or ""), model.id
        assert model.source, model.id
        assert model.prices, model.id
        assert all(price >= 0 for price in model.prices.values()), model.id
    assert len({m.id for m in models}) == len(models)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o", "builtin-gpt-4o"),
        ("GPT-4o-2024-08-06", "builtin-gpt-4o"),
        ("gpt-4o-mini", "builtin-gpt-4o-mini"),
        ("openai/gpt-4.1-nano", "builtin-gpt-4.1-nano"),
        ("gpt-5-mini-2025-08-07", "builtin-gpt-5-mini"),
        ("o4-mini", "builtin-o4-mini"),
        ("claude-3-5-sonnet-20241022", "builtin-claude-3-5-sonnet"),
        ("claude-sonnet-4-5", "builtin-claude-sonnet-4-5"),
        ("claude-sonnet-4-20250514", "builtin-claude-sonnet-4"),
        ("anthropic.claude-3-haiku-20240307-v1:0", "builtin-claude-3-haiku"),
        ("gemini-2.5-flash", "builtin-gemini-2.5-flash"),
        ("gemini-2.5-flash-lite", "builtin-gemini-2.5-flash-lite"),
        ("gemini-1.5-pro-002", "builtin-gemini-1.5-pro"),
        ("mistral-large-latest", "builtin-mistral-large"),
        ("mistral-small-2503", "builtin-mistral-small"),
        ("meta-llama/Llama-3.3-70B-Instruct-Turbo", "builtin-llama-3.3-70b-instruct"),
        ("llama3.1:8b", "builtin-ollama-local"),
        ("qwen2.5:7b", "builtin-ollama-local"),
        ("SmolLM2-360M-Instruct", "builtin-smollm"),
        ("Llama-3.2-1B-Instruct-Q4_K_M.gguf", "builtin-llama-cpp-gguf"),
    ],
)
def test_builtin_names_match_exactly_one_family(model: str, expected: str) -> None:
    candidates = BOOK.candidates("p", model)
    assert [c.id for c in candidates] == [expected]


def test_local_models_cost_nothing_and_unknown_models_match_nothing() -> None:
    local = BOOK.match("p", "llama3.1:8b")
    assert local is not None
    assert compute_cost(local, {"input": 1000, "output": 1000, "total": 2000}) == {
        "input": 0.0, "output": 0.0, "total": 0.0
    }  # fmt: skip
    assert BOOK.match("p", "acme-llm-7") is None
    assert BOOK.match("p", None) is None


def test_newest_start_date_wins_and_older_observations_keep_the_old_price() -> None:
    # o3 cost $10/$40 per M until 2025-06-10, $2/$8 after.
    before = BOOK.match("p", "o3", _us("2025-05-01"))
    after = BOOK.match("p", "o3", _us("2025-07-01"))
    assert before is not None and after is not None
    assert compute_cost(before, {"input": 1_000_000}) == {"input": 10.0, "total": 10.0}
    assert compute_cost(after, {"input": 1_000_000}) == {"input": 2.0, "total": 2.0}


def test_project_definitions_win_over_builtin_ones_then_newest_start() -> None:
    mine = ModelDefinition(id="m1", model_name="mine", match_pattern="(?i)^gpt-4o$", prices={"input": 1.0},
                           project_id="p")  # fmt: skip
    newer = ModelDefinition(id="m2", model_name="mine-2026", match_pattern="gpt-4O", prices={"input": 2.0},
                            project_id="p", start_date=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    other = ModelDefinition(id="m3", model_name="theirs", match_pattern="gpt-4o", prices={"input": 9.0},
                            project_id="q")  # fmt: skip
    book = PriceBook(builtin_models(), [mine, newer, other])
    assert [d.id for d in book.candidates("p", "gpt-4o")] == ["m2", "m1", "builtin-gpt-4o"]
    assert book.match("p", "gpt-4o", _us("2025-12-31")).id == "m1"  # type: ignore[union-attr]
    assert book.match("p", "gpt-4o", _us("2026-02-01")).id == "m2"  # type: ignore[union-attr]
    assert book.match("q", "gpt-4o").id == "m3"  # type: ignore[union-attr]
    assert book.match("r", "gpt-4o").id == "builtin-gpt-4o"  # type: ignore[union-attr]


def test_cost_is_units_times_price_per_key_and_unpriced_keys_cost_nothing() -> None:
    gpt4o = BOOK.match("p", "gpt-4o")
    assert gpt4o is not None
    # 1000 x $2.50/M + 200 cached x $1.25/M + 500 x $10/M; `total` (1700 tokens) has no price of its own.
    usage = {"input": 1000, "input_cached_tokens": 200, "output": 500, "total": 1700, "input_audio_tokens": 7}
    expected = {"input": 0.0025, "input_cached_tokens": 0.00025, "output": 0.005, "total": 0.00775}
    assert compute_cost(gpt4o, usage) == expected


def test_a_conditional_tier_applies_only_when_its_usage_condition_holds() -> None:
    pro = BOOK.match("p", "gemini-2.5-pro")
    assert pro is not None
    # Up to 200k prompt tokens: $1.25/M in, $10/M out. Past that: $2.50/M in, $15/M out.
    assert compute_cost(pro, {"input": 100_000, "output": 1000})["total"] == pytest.approx(0.125 + 0.01)
    assert compute_cost(pro, {"input": 300_000, "output": 1000})["total"] == pytest.approx(0.75 + 0.015)
    tier = PricingTier(name="cheap after 10", is_default=False, priority=1, prices={"output": 0.5},
                       conditions=(UsageCondition("^OUT", "gte", 10, case_sensitive=True),))  # fmt: skip
    model = ModelDefinition(id="t", model_name="t", match_pattern="t", prices={"output": 1.0}, tiers=(tier,))
    assert compute_cost(model, {"output": 10}) == {"output": 10.0, "total": 10.0}  # case-sensitive: no match


def test_client_costs_are_kept_and_computed_costs_follow_usage() -> None:
    record: dict[str, object] = {
        "project_id": "p", "id": "g", "type": "GENERATION", "model": "gpt-4o", "start_time": _us("2026-01-01"),
        "usage_details": {"input": 1000, "total": 1000}, "cost_details": {"input": 0.5, "total": 0.5},
        "_ts": {"usage_details": [1, "e1"], "cost_details": [1, "e1"]},
    }  # fmt: skip
    price_record(record, BOOK)
    assert record["cost_details"] == {"input": 0.5, "total": 0.5}
    computed: dict[str, object] = {**record, "cost_details": {"input": 0.5, "total": 0.5},
                                   "_ts": {"usage_details": [1, "e1"]}}  # fmt: skip
    price_record(computed, BOOK)
    assert computed["cost_details"] == {"input": 0.0025, "total": 0.0025}


def test_tokens_are_counted_offline_for_openai_models_only() -> None:
    # "Hello, world!" is 4 o200k tokens, "user" 1, "Hi there" 2: a one-message chat prompt is 3 (priming) +
    # 3 (per message) + 1 + 4 = 11.
    assert count_usage("gpt-4o", [{"role": "user", "content": "Hello, world!"}], "Hi there") == {
        "input": 11, "output": 2, "total": 13
    }  # fmt: skip
    assert count_usage("gpt-4o", "Hello, world!", {"role": "assistant", "content": "Hi there"}) == {
        "input": 4, "output": 6, "total": 10
    }  # fmt: skip
    assert encoding_name("gpt-4") == "cl100k_base"
    assert encoding_name("gpt-4.1-mini") == "o200k_base"
    assert encoding_name("claude-3-5-sonnet") is None
    assert count_usage("llama3.1:8b", "hi", "there") is None


def test_very_long_texts_are_estimated_from_their_head() -> None:
    # " ab" is one token: exact below the limit, extrapolated from the head above it.
    exact = " ab" * (MAX_EXACT_CHARS // 3)
    assert count_text(exact, "o200k_base") == MAX_EXACT_CHARS // 3
    long = " ab" * MAX_EXACT_CHARS
    assert count_text(long, "o200k_base") == pytest.approx(MAX_EXACT_CHARS, rel=0.001)


def test_counted_usage_is_priced_and_recounted_when_output_arrives() -> None:
    record: dict[str, object] = {"project_id": "p", "id": "g", "type": "GENERATION", "model": "gpt-4o",
                                 "input": '"Hello, world!"', "_ts": {}}  # fmt: skip
    price_record(record, BOOK)
    assert record["usage_details"] == {"input": 4, "output": 0, "total": 4}
    assert record["cost_details"] == {"input": 0.00001, "output": 0.0, "total": 0.00001}
    record["output"] = '"Hi there"'
    price_record(record, BOOK)
    assert record["usage_details"] == {"input": 4, "output": 2, "total": 6}
    # 4 x $2.50/M + 2 x $10/M
    assert record["cost_details"] == {"input": 0.00001, "output": 0.00002, "total": 0.00003}


def test_openai_usage_splits_cached_and_reasoning_tokens_out_of_their_parents() -> None:
    usage, costs = normalize_usage(None, {
        "prompt_tokens": 2000, "completion_tokens": 1000, "total_tokens": 3000,
        "prompt_tokens_details": {"cached_tokens": 1500, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 600},
    })  # fmt: skip
    assert usage == {"input": 500, "input_cached_tokens": 1500, "output": 400, "output_reasoning_tokens": 600,
                     "total": 3000}  # fmt: skip
    assert costs == {}
    responses, _ = normalize_usage(None, {
        "input_tokens": 2000, "output_tokens": 1000, "total_tokens": 3000,
        "input_tokens_details": {"cached_tokens": 1500}, "output_tokens_details": {"reasoning_tokens": 600},
    })  # fmt: skip
    assert responses == usage


def test_anthropic_cache_keys_are_kept_beside_input_and_priced() -> None:
    usage, _ = normalize_usage(None, {"input_tokens": 100, "output_tokens": 200, "cache_read_input_tokens": 1000,
                                      "cache_creation_input_tokens": 400})  # fmt: skip
    assert usage == {"input": 100, "output": 200, "cache_read_input_tokens": 1000,
                     "cache_creation_input_tokens": 400, "total": 1700}  # fmt: skip
    haiku = BOOK.match("p", "claude-3-5-haiku-20241022")
    assert haiku is not None
    # $0.80/M in, $4/M out, cache reads at a tenth of input ($0.08/M), cache writes at 1.25x ($1/M)
    assert compute_cost(haiku, usage) == pytest.approx(
        {"input": 0.00008, "output": 0.0008, "cache_read_input_tokens": 0.00008,
         "cache_creation_input_tokens": 0.0004, "total": 0.00136}
    )  # fmt: skip
