"""The `spyglass` command line: projects and keys, as a user runs them (typer's CliRunner on a real SQLite file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from spyglass.cli import app
from tests.support.server import ServerProcess

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_projects_and_keys(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    assert "The schema is up to date." not in _run("migrate", *data)
    assert "The schema is up to date." in _run("migrate", *data)
    created = _run("projects", "create", "checkout-bot", *data)
    assert "Created project checkout-bot" in created
    public = next(line.split("=", 1)[1] for line in created.splitlines() if line.startswith("LANGFUSE_PUBLIC_KEY="))
    secret = next(line.split("=", 1)[1] for line in created.splitlines() if line.startswith("LANGFUSE_SECRET_KEY="))
    assert public.startswith("pk-lf-") and secret.startswith("sk-lf-")
    assert "checkout-bot" in _run("projects", "list", *data)

    listed = _run("keys", "list", "--project", "checkout-bot", *data)
    assert public in listed
    assert secret not in listed  # only a prefix and suffix of the secret is ever shown again
    assert secret[-4:] in listed
    assert "active" in listed

    more = _run("keys", "create", "--project", "checkout-bot", "--note", "ci", *data)
    assert "LANGFUSE_SECRET_KEY=sk-lf-" in more
    assert _run("keys", "revoke", public, *data).strip() == f"Revoked {public}"
    assert "revoked" in _run("keys", "list", *data)

    duplicate = runner.invoke(app, ["projects", "create", "checkout-bot", *data])
    assert duplicate.exit_code != 0
    assert "exists" in duplicate.output
    unknown = runner.invoke(app, ["keys", "create", "--project", "nope", *data])
    assert unknown.exit_code != 0
    assert "no project named 'nope'" in unknown.output


@pytest.mark.parametrize("command", [[], ["serve"], ["projects"], ["keys"], ["keys", "create"], ["migrate"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_first_start_prints_the_keys_to_paste(tmp_path: Path) -> None:
    """Without init variables, the first start creates a key pair, prints it once, and it works."""
    server = ServerProcess(tmp_path / "data", env={"SPYGLASS_INIT_PUBLIC_KEY": "", "SPYGLASS_INIT_SECRET_KEY": ""})
    server.start()
    try:
        log = server.log()
        lines = dict(
            line.strip().removeprefix("export ").split("=", 1)
            for line in log.splitlines()
            if "export LANGFUSE_" in line
        )
        assert lines["LANGFUSE_HOST"] == f"http://localhost:{server.port}"
        server.public_key, server.secret_key = lines["LANGFUSE_PUBLIC_KEY"], lines["LANGFUSE_SECRET_KEY"]
        with server.client() as client:
            assert client.get("/api/public/projects").json()["data"][0]["name"] == "default"
        saved = (tmp_path / "data" / "default-keys.env").read_text()
        assert f"LANGFUSE_SECRET_KEY={server.secret_key}" in saved
        server.stop()
        server.start()  # a second start creates nothing new and prints no secret
        assert server.log().count("export LANGFUSE_SECRET_KEY") == 1
    finally:
        server.stop()


def test_docs_cli_md_is_current() -> None:
    from tests.support.cli_docs import DOC, render

    assert DOC.read_text() == render(), "docs/cli.md is stale: run `python -m tests.support.cli_docs`"
