"""Tracing of the chat through the official Langfuse Python SDK (5.x), pointed at Spyglass.

Per turn: a trace `chat_turn` (user, session, tags, conversation length) whose root span holds the `llm_response`
generation and the `response_processing` span. The system prompt is the managed prompt `chat-system-prompt` (label
production), seeded on first use. A tracing failure is reported once and never stops the chat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from spyglass.chat.backends import GenerationParams, Message, Usage
from spyglass.chat.config import ChatConfig

PROMPT_NAME = "chat-system-prompt"
PROMPT_LABEL = "production"
DEFAULT_SYSTEM_PROMPT = (
    "You are a friendly, concise assistant in a terminal chat. Answer in a few sentences of plain text."
)
TRACE_NAME = "chat_turn"
GENERATION_NAME = "llm_response"
PROCESSING_NAME = "response_processing"
SCORE_NAME = "user_feedback"


@dataclass(slots=True)
class SystemPrompt:
    messages: list[Message]
    client: Any = None  # the SDK's PromptClient when it came from the server (then generations link to it)

    @property
    def version(self) -> int | None:
        return int(self.client.version) if self.client is not None else None


@dataclass(slots=True)
class TurnTrace:
    """One turn's observations; every method is a no-op when tracing is off or the SDK failed."""

    root: Any = None
    generation: Any = None
    warn: Callable[[str], None] = field(default=lambda _m: None)

    @property
    def trace_id(self) -> str | None:
        return str(self.root.trace_id) if self.root is not None else None

    def start_generation(
        self, model: str, messages: Sequence[Message], params: GenerationParams, prompt: SystemPrompt
    ) -> None:
        if self.root is None:
            return
        try:
            self.generation = self.root.start_observation(
                name=GENERATION_NAME,
                as_type="generation",
                model=model,
                input=[dict(m) for m in messages],
                model_parameters={"temperature": params.temperature, "max_tokens": params.max_tokens, "stream": True},
                prompt=prompt.client,
            )
        except Exception as exc:
            self.warn(f"tracing: cannot start the generation ({exc})")

    def end_generation(
        self,
        output: str,
        usage: Usage | None,
        first_token_at: datetime | None,
        *,
        level: str | None = None,
        status_message: str | None = None,
    ) -> None:
        if self.generation is None:
            return
        try:
            details = (
                {"input": usage.input, "output": usage.output, "total": usage.input + usage.output} if usage else None
            )
            self.generation.update(
                output=output,
                usage_details=details,
                completion_start_time=first_token_at,
                level=level,
                status_message=status_message,
            )
            self.generation.end()
        except Exception as exc:
            self.warn(f"tracing: cannot record the generation ({exc})")

    def processing(self, raw: str, processed: str, metadata: dict[str, Any]) -> None:
        if self.root is None:
            return
        try:
            span = self.root.start_observation(name=PROCESSING_NAME, as_type="span", input=raw)
            span.update(output=processed, metadata=metadata)
            span.end()
        except Exception as exc:
            self.warn(f"tracing: cannot record response processing ({exc})")

    def finish(self, output: str | None, *, level: str | None = None, status_message: str | None = None) -> None:
        if self.root is None:
            return
        try:
            self.root.update(output=output, level=level, status_message=status_message)
        except Exception as exc:
            self.warn(f"tracing: cannot finish the turn ({exc})")


class ChatTracer:
    """The Langfuse client and the chat's use of it. `enabled` is False when no keys were found."""

    def __init__(self, config: ChatConfig, warn: Callable[[str], None]) -> None:
        self._config = config
        self._warned: set[str] = set()
        self._print = warn
        self._client: Any = None
        if not config.langfuse_public_key or not config.langfuse_secret_key:
            return
        try:
            from langfuse import Langfuse

            _quiet_sdk_logs(config.langfuse_debug)  # after the import: importing langfuse sets its log levels
            self._client = Langfuse(
                public_key=config.langfuse_public_key,
                secret_key=config.langfuse_secret_key,
                base_url=config.langfuse_host,
                debug=config.langfuse_debug,
                # Turns show up in Spyglass about a second after they end (the SDK's default batch delay is 5 s).
                flush_interval=1.0,
            )
        except Exception as exc:
            self.warn(f"tracing is off: the Langfuse SDK did not start ({exc})")
            self._client = None

    @property
    def enabled(self) -> bool:
        return self._client is not None

    def warn(self, message: str) -> None:
        """Print a tracing problem once per kind, so a down server does not flood the conversation."""
        kind = message.split("(")[0]
        if kind not in self._warned:
            self._warned.add(kind)
            self._print(message)

    def connection_line(self) -> str:
        """The start-up sentence about Spyglass: connected to which project, or why turns will not be recorded."""
        config = self._config
        if self._client is None:
            return (
                "Tracing off: no Langfuse keys (set LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY, or run "
                "`spyglass serve` here once)."
            )
        try:
            projects = self._client.api.projects.get()
        except Exception as exc:
            if getattr(exc, "status_code", None) in (401, 403):
                return f"Spyglass at {config.langfuse_host} refused the keys from {config.keys_source}; turns are lost."
            return f"Spyglass at {config.langfuse_host} did not answer ({_short(exc)}); turns may be lost."
        name = projects.data[0].name if projects.data else "?"
        return f"Connected to Spyglass at {config.langfuse_host} (project: {name})."

    def system_prompt(self) -> SystemPrompt:
        """The production version of `chat-system-prompt`, created on first use; the built-in text on failure."""
        fallback = SystemPrompt([{"role": "system", "content": DEFAULT_SYSTEM_PROMPT}])
        if self._client is None:
            return fallback
        from langfuse.api import NotFoundError

        try:
            try:
                prompt = self._client.get_prompt(PROMPT_NAME, label=PROMPT_LABEL, max_retries=0)
            except NotFoundError:
                prompt = self._client.create_prompt(
                    name=PROMPT_NAME,
                    prompt=DEFAULT_SYSTEM_PROMPT,
                    labels=[PROMPT_LABEL],
                    tags=["spyglass-chat"],
                    commit_message="Seeded by spyglass chat on first use",
                )
        except Exception as exc:
            self.warn(f"prompt management unavailable, using the built-in system prompt ({_short(exc)})")
            return fallback
        compiled = prompt.compile()
        if isinstance(compiled, list):
            messages: list[Message] = [
                {"role": str(m.get("role", "system")), "content": str(m.get("content", ""))}
                for m in compiled
                if isinstance(m, dict) and "content" in m
            ]
        else:
            messages = [{"role": "system", "content": str(compiled)}]
        return SystemPrompt(messages, prompt)

    @contextmanager
    def turn(
        self, *, session_id: str, user_input: str, turn_number: int, conversation_length: int
    ) -> Iterator[TurnTrace]:
        """A trace for one turn; the root span ends when the block does."""
        if self._client is None:
            yield TurnTrace(warn=self.warn)
            return
        from langfuse import propagate_attributes

        with ExitStack() as stack:
            root = None
            try:
                stack.enter_context(
                    propagate_attributes(
                        trace_name=TRACE_NAME,
                        user_id=self._config.user_id,
                        session_id=session_id,
                        tags=list(self._config.tags),
                        metadata={"conversation_length": conversation_length, "turn": turn_number},
                    )
                )
                root = stack.enter_context(
                    self._client.start_as_current_observation(name=TRACE_NAME, as_type="span", input=user_input)
                )
            except Exception as exc:
                self.warn(f"tracing: cannot start the turn ({exc})")
            yield TurnTrace(root=root, warn=self.warn)

    def score(self, trace_id: str, value: int, comment: str | None) -> bool:
        if self._client is None:
            return False
        try:
            self._client.create_score(
                name=SCORE_NAME, value=value, trace_id=trace_id, data_type="NUMERIC", comment=comment or None
            )
        except Exception as exc:
            self.warn(f"tracing: cannot record the feedback ({exc})")
            return False
        return True

    def shutdown(self) -> None:
        """Send everything still queued, then stop the SDK's threads."""
        if self._client is None:
            return
        try:
            self._client.shutdown()
        except Exception as exc:
            self.warn(f"tracing: some turns may not have been sent ({exc})")


def _quiet_sdk_logs(debug: bool) -> None:
    # The SDK and the OTLP exporter log to stderr, which is the chat's screen; problems are reported by the chat
    # itself, once. LANGFUSE_DEBUG=true keeps the SDK's own logs.
    if debug:
        return
    for name in ("langfuse", "opentelemetry", "httpx", "backoff"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
