"""A stand-in for Ollama: its HTTP protocol, answered with text from the embedded model.

Ollama itself cannot be installed here (no network beyond the package registries, no model downloads), so the tests
talk to this server instead. It speaks what the chat uses of Ollama's API: `GET /api/tags`, `GET /api/version` and
streaming `POST /api/chat` (one JSON object per line, `prompt_eval_count` / `eval_count` on the last one), and
answers an unknown model with Ollama's 404 `{"error": "model \"x\" not found, try pulling it first"}`.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.server import free_port

from spyglass.chat.backends import GenerationParams, LLMError, Usage
from spyglass.chat.embedded import EmbeddedBackend


class OllamaStandIn:
    def __init__(self, model: EmbeddedBackend, models: set[str], port: int | None = None) -> None:
        self.model = model
        self.models = set(models)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.chat_requests: list[dict[str, Any]] = []
        self.answers: list[tuple[str, Usage]] = []
        # Seconds to wait before answering /api/chat (and then answer nothing): a hung Ollama.
        self.delay = 0.0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> OllamaStandIn:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: the port refuses connections until start() again, as when Ollama is not running."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _handler(standin: OllamaStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/api/version":
                self._json(200, {"version": "0.0.0-standin"})
            elif self.path == "/api/tags":
                self._json(200, {"models": [{"name": name, "model": name} for name in sorted(standin.models)]})
            else:
                self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            if self.path != "/api/chat":
                self._json(404, {"error": "not found"})
                return
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            standin.chat_requests.append(body)
            name = body.get("model")
            if name not in standin.models:
                self._json(404, {"error": f'model "{name}" not found, try pulling it first'})
                return
            if standin.delay:
                time.sleep(standin.delay)
                return
            options = body.get("options") or {}
            params = GenerationParams(float(options.get("temperature", 0.7)), int(options.get("num_predict", 32)))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.end_headers()
            pieces: list[str] = []
            usage = Usage(0, 0)
            try:
                for item in standin.model.stream(body["messages"], params):
                    if isinstance(item, Usage):
                        usage = item
                        continue
                    pieces.append(item)
                    line = {"model": name, "created_at": _now(), "message": {"role": "assistant", "content": item},
                            "done": False}  # fmt: skip
                    self.wfile.write(json.dumps(line).encode() + b"\n")
                    self.wfile.flush()
            except LLMError as exc:
                self.wfile.write(json.dumps({"error": str(exc)}).encode() + b"\n")
                return
            standin.answers.append(("".join(pieces), usage))
            last = {
                "model": name,
                "created_at": _now(),
                "message": {"role": "assistant", "content": ""},
                "done": True,
                "done_reason": "stop",
                "prompt_eval_count": usage.input,
                "eval_count": usage.output,
            }
            self.wfile.write(json.dumps(last).encode() + b"\n")

    return Handler
