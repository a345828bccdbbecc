"""Masking: a project's rules applied on both ingestion doors before storage. The masked text is nowhere in the
database files (nor the write-ahead log, nor the search index), and projects without rules keep their data as sent."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.support.sdk import run_script
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

V2 = r"""
import json, os
from langfuse import Langfuse
lf = Langfuse()
t = lf.trace(name="support", input={"question": "I am " + os.environ["EMAIL"] + ", call +49 30 1234567"},
             metadata={"customer": os.environ["EMAIL"], "ticket": "ACME-" + os.environ["TICKET"]})
g = t.generation(name="llm", model="gpt-4o-mini", input=[{"role": "user", "content": "mail " + os.environ["EMAIL"]}])
g.end(output="Sure, I wrote to " + os.environ["EMAIL"] + ".")
t.score(name="feedback", value=1, comment="from " + os.environ["EMAIL"])
lf.flush()
print(json.dumps({"traceId": t.id}))
"""

V5 = r"""
import json, os
from langfuse import Langfuse
lf = Langfuse()
with lf.start_as_current_observation(as_type="generation", name="llm", model="gpt-4o-mini",
                                     input={"question": "I am " + os.environ["EMAIL"]},
                                     metadata={"ticket": "ACME-" + os.environ["TICKET"]}) as g:
    trace_id = g.trace_id
    g.update(output="Reply sent to " + os.environ["EMAIL"])
lf.flush()
print(json.dumps({"traceId": trace_id}))
"""


def cli(data_dir: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "spyglass", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def on_disk(data_dir: Path, needle: str) -> list[str]:
    """The database files (main file, WAL, shared memory) that hold `needle` anywhere in their bytes."""
    return [p.name for p in data_dir.glob("spyglass.db*") if needle.encode() in p.read_bytes()]


def send_both(server: ServerProcess, email: str, ticket: str) -> list[str]:
    env = {**server.sdk_env(), "EMAIL": email, "TICKET": ticket}
    return [run_script("2.60.10", V2, env)["traceId"], run_script("5.0.4", V5, env)["traceId"]]


def test_masked_text_never_reaches_the_database(server: ServerProcess) -> None:
    said = cli(server.data_dir, "masking", "set", "--rule", "email", "--rule", "phone", "--pattern", r"ACME-\d+")
    assert "masked: email, phone, /ACME-\\d+/" in said
    email = f"ann.{uuid.uuid4().hex[:8]}@example.com"
    ticket = str(uuid.uuid4().int)[:8]
    trace_ids = send_both(server, email, ticket)

    with server.client() as client:
        for trace_id in trace_ids:
            trace = client.get(f"/api/public/traces/{trace_id}").json()
            text = str(trace)
            assert email not in text and f"ACME-{ticket}" not in text and "1234567" not in text
            assert "[REDACTED:email]" in text and "[REDACTED:custom]" in text
        scores = client.get("/api/public/scores", params={"traceId": trace_ids[0]}).json()["data"]
        assert scores[0]["comment"] == "from [REDACTED:email]"
    assert on_disk(server.data_dir, email.split("@")[0]) == []
    assert on_disk(server.data_dir, ticket) == []


def test_without_rules_data_is_kept_as_sent(server: ServerProcess) -> None:
    # The positive control of the test above: the same scan finds unmasked text, so its silence means something.
    email = f"bob.{uuid.uuid4().hex[:8]}@example.com"
    trace_ids = send_both(server, email, "42")
    with server.client() as client:
        trace = client.get(f"/api/public/traces/{trace_ids[1]}").json()
    assert email in str(trace)
    assert on_disk(server.data_dir, email.split("@")[0]) != []
