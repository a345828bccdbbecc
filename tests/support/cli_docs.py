"""Render docs/cli.md from the `spyglass` command tree. Regenerate with `python -m tests.support.cli_docs`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

from spyglass.cli import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    """Commands depth first (typer vendors its own click, so this goes by shape, not class)."""
    found = [(path, command)]
    if hasattr(command, "commands"):
        for name in sorted(command.commands):
            found += _walk(command.commands[name], [*path, name])
    return found


def _param(param: Any) -> str:
    if param.param_type_name == "option":
        names = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        default = param.default
        shown = "" if default in (None, False, ()) or callable(default) else f" (default: `{default}`)"
        return f"- {names}: {param.help or ''}{shown}".rstrip()
    return f"- `{param.name.upper()}` (argument): {getattr(param, 'help', '') or ''}".rstrip()


def render() -> str:
    root = typer.main.get_command(app)
    lines = [
        "# Command line",
        "",
        "Generated from the code by `python -m tests.support.cli_docs`; a test fails when it is stale.",
        "Every command also answers `--help`.",
        "",
    ]
    for path, command in _walk(root, ["spyglass"]):
        lines += [f"## `{' '.join(path)}`", "", (command.help or "").strip().split("\n\n")[0], ""]
        params = [p for p in command.params if p.name not in ("help", "install_completion", "show_completion")]
        if params:
            lines += [_param(p) for p in params] + [""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    DOC.write_text(render())
    print(f"wrote {DOC}")
