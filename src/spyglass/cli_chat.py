"""The `spyglass chat` command: flags to ChatConfig, open the LLM and the tracer, run the conversation loop.

The chat needs the `chat` extra; its modules are imported only when the command runs.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer


def chat(
    backend: Annotated[
        str | None, typer.Option(help="auto (Ollama if it answers, else the embedded model), ollama, openai, embedded.")
    ] = None,
    model_path: Annotated[
        Path | None, typer.Option("--model-path", help="Run this local GGUF file with the embedded runtime.")
    ] = None,
    ollama_endpoint: Annotated[str | None, typer.Option(help="Ollama URL (OLLAMA_ENDPOINT).")] = None,
    ollama_model: Annotated[str | None, typer.Option(help="Ollama model (OLLAMA_MODEL, default llama3.1:8b).")] = None,
    openai_base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible base URL, e.g. http://localhost:8000/v1 (OPENAI_BASE_URL).")
    ] = None,
    openai_model: Annotated[str | None, typer.Option(help="Model at that endpoint (OPENAI_MODEL).")] = None,
    langfuse_host: Annotated[
        str | None, typer.Option("--host", help="Spyglass URL (LANGFUSE_HOST, default http://localhost:3000).")
    ] = None,
    temperature: Annotated[float | None, typer.Option(help="Sampling temperature (default 0.7).")] = None,
    max_tokens: Annotated[int | None, typer.Option(help="Longest answer in tokens (default 256).")] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds to wait for the LLM (default 120).")] = None,
    user_id: Annotated[str | None, typer.Option(help="User id on the traces (default: your login name).")] = None,
    tags: Annotated[str | None, typer.Option(help="Comma-separated trace tags (default spyglass-chat).")] = None,
    script: Annotated[
        Path | None, typer.Option(help="Play the user lines of FILE ('-' for stdin) instead of asking, then exit.")
    ] = None,
    env_file: Annotated[Path | None, typer.Option(help="Read settings from this file instead of ./.env.")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="The local server's data dir, for its default keys (default ./.spyglass).")
    ] = None,
) -> None:
    """Chat with an LLM in the terminal; every turn is traced to Spyglass (Langfuse SDK)."""
    try:
        from spyglass.chat.backends import LLMError
        from spyglass.chat.config import ChatConfigError, load_chat_config
        from spyglass.chat.selection import open_backend
        from spyglass.chat.session import ChatSession
        from spyglass.chat.tracing import ChatTracer
    except ImportError as exc:
        raise typer.BadParameter(
            f"the chat needs the chat extra ({exc.name} is missing): pip install -e '.[chat]' (./scripts/serve does)"
        ) from None

    flags: dict[str, object | None] = {
        "backend": backend,
        "model_path": model_path,
        "ollama_endpoint": ollama_endpoint,
        "ollama_model": ollama_model,
        "openai_base_url": openai_base_url,
        "openai_model": openai_model,
        "langfuse_host": langfuse_host,
        "temperature": temperature,
        "max_tokens": max_tokens,
        "timeout": timeout,
        "user_id": user_id,
        "tags": tags,
    }
    try:
        config = load_chat_config(flags, env_file=env_file, data_dir=data_dir)
    except ChatConfigError as exc:
        raise typer.BadParameter(str(exc)) from None

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    def note(text: str) -> None:
        write(f"[spyglass] {text}\n")

    interactive = script is None and sys.stdin.isatty()
    script_text = None if interactive else _read_script(script)
    tracer = ChatTracer(config, note)
    write(tracer.connection_line() + " ")
    try:
        selection = open_backend(config)
    except LLMError as exc:
        write("\n")
        tracer.shutdown()
        raise typer.BadParameter(str(exc)) from None
    write(selection.notice + "\n")

    session = ChatSession(selection.backend, tracer, config, write)
    if script_text is None:
        write("Type a message, /help for commands, exit or Ctrl-D to leave.\n")
        lines: Iterator[str | None] = _terminal_lines(write)
    else:
        lines = _script_lines(script_text, write)
    try:
        session.run(lines)
    except KeyboardInterrupt:
        write("\n")
    finally:
        tracer.shutdown()
        selection.backend.close()
    write("Bye.\n")


def _terminal_lines(write: Callable[[str], None]) -> Iterator[str | None]:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    while True:
        try:
            yield input("You: ")
        except EOFError:
            write("\n")
            yield None
            return
        except KeyboardInterrupt:
            write("\n(exit, quit or Ctrl-D leaves)\n")


def _read_script(script: Path | None) -> str:
    """The text of --script FILE, or stdin for `-` or when stdin is not a terminal."""
    if script is None or str(script) == "-":
        return sys.stdin.read()
    try:
        return script.read_text()
    except OSError as exc:
        raise typer.BadParameter(f"cannot read --script {script}: {exc.strerror}") from None


def _script_lines(text: str, write: Callable[[str], None]) -> Iterator[str | None]:
    """The script's lines (`#` comments skipped), echoed after a `You: ` prompt so the output reads as a transcript."""
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        write(f"You: {line}\n")
        yield line
