"""`spyglass users ...` and the first admin printed by `spyglass serve`, as a user runs them."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from typer.testing import CliRunner

from spyglass.cli import app
from tests.support.server import ServerProcess

runner = CliRunner()


def _run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _sign_in(url: str, email: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=url) as client:
        form = client.get("/signin")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert token is not None
        return client.post("/signin", data={"email": email, "password": password, "csrf": token.group(1)})


def test_users_create_list_grant_and_set_password(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    _run("projects", "create", "default", *data)
    assert "Created ann@example.com (viewer in default)" in _run(
        "users", "create", "Ann@Example.com", "--password", "first-password", "--role", "viewer", *data
    )
    assert "(instance admin)" in _run(
        "users", "create", "root@example.com", "--password", "root-password", "--admin", *data
    )
    listed = _run("users", "list", *data)
    assert "ann@example.com  default:viewer" in listed and "root@example.com  admin" in listed
    assert "is now member in default" in _run("users", "grant", "ann@example.com", "--role", "member", *data)
    assert "default:member" in _run("users", "list", *data)
    assert "Password set" in _run("users", "set-password", "ann@example.com", "--password", "second-password", *data)
    assert "at least 8 characters" in _run("users", "create", "bo@example.com", "--password", "short", *data, code=2)
    assert "exists" in _run("users", "create", "ann@example.com", "--password", "long-enough", *data, code=2)
    assert "role must be one of" in _run(
        "users", "create", "cy@example.com", "--password", "long-enough", "--role", "boss", *data, code=2
    )
    assert "not an email" in _run("users", "create", "nobody", "--password", "long-enough", *data, code=2)


def test_serve_prints_the_generated_admin_password_once(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path).start()
    try:
        log = server.log()
        found = re.search(r"Created the web UI admin (\S+)\. .*\n\s+password: (\S+)", log)
        assert found is not None, log
        assert _sign_in(server.url, found.group(1), found.group(2)).status_code == 303
        assert _sign_in(server.url, found.group(1), "wrong-password").status_code == 401
    finally:
        server.stop()
    again = ServerProcess(tmp_path, port=server.port).start()
    try:
        assert again.log().count("password:") == 1  # the second start made no new admin and printed nothing
    finally:
        again.stop()
