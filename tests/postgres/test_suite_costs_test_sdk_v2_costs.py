"""tests/costs/test_sdk_v2_costs.py, re-run on PostgreSQL (the fixtures of tests/postgres/conftest.py)."""

from tests.costs.test_sdk_v2_costs import *  # noqa: F403

# This one runs `spyglass costs recompute --data-dir`, which names the server's SQLite file; recompute on PostgreSQL is
# covered by tests/store/test_contract_costs.py.
globals().pop("test_costs_recompute_after_adding_a_definition_changes_exactly_the_matching_generations", None)
