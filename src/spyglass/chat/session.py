"""The conversation loop: read a line, run a command or a turn, stream the answer, trace it.

Reading and writing go through two callables, so the same loop serves the terminal, a `--script` file and stdin.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from spyglass.chat.backends import Backend, GenerationParams, LLMError, Message, Usage
from spyglass.chat.config import ChatConfig
from spyglass.chat.tracing import ChatTracer, SystemPrompt, TurnTrace

HELP = """Commands:
  /feedback N [comment]  rate the last answer from 1 (bad) to 5 (great); recorded as a score on its trace
  /new                   start a new conversation (a new session in Spyglass)
  /help                  this list
  exit, quit, Ctrl-D     leave (Ctrl-C stops an answer that is being written)"""

EXIT_WORDS = frozenset({"exit", "quit", "/exit", "/quit", ":q"})


def new_session_id() -> str:
    return f"chat-{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


@dataclass(slots=True)
class ChatSession:
    backend: Backend
    tracer: ChatTracer
    config: ChatConfig
    write: Callable[[str], None]
    session_id: str = field(default_factory=new_session_id)
    history: list[Message] = field(default_factory=list)
    last_trace_id: str | None = None
    turns: int = 0

    def say(self, text: str) -> None:
        self.write(text + "\n")

    def handle(self, line: str) -> bool:
        """Act on one input line; False means the user asked to leave."""
        text = line.strip()
        if not text:
            return True
        if text.lower() in EXIT_WORDS:
            return False
        if text.startswith("/"):
            self.command(text)
        else:
            self.ask(text)
        return True

    def command(self, text: str) -> None:
        name, _, rest = text.partition(" ")
        name = name.lower()
        if name == "/help":
            self.say(HELP)
        elif name == "/new":
            self.session_id = new_session_id()
            self.history.clear()
            self.last_trace_id = None
            self.say(f"Started a new conversation (session {self.session_id}).")
        elif name == "/feedback":
            self.feedback(rest.strip())
        else:
            self.say(f"Unknown command {name}. /help lists the commands.")

    def feedback(self, args: str) -> None:
        value_text, _, comment = args.partition(" ")
        if value_text not in {"1", "2", "3", "4", "5"}:
            self.say("Usage: /feedback N [comment], with N from 1 (bad) to 5 (great).")
            return
        if self.last_trace_id is None:
            self.say("Nothing to rate yet: /feedback scores the last answer of this conversation.")
            return
        if not self.tracer.enabled:
            self.say("Feedback not recorded: tracing is off.")
            return
        if self.tracer.score(self.last_trace_id, int(value_text), comment.strip() or None):
            self.say("Feedback recorded!")

    def ask(self, user_text: str) -> None:
        """One turn: system prompt + history + the new message to the LLM, the answer streamed to the screen."""
        self.turns += 1
        prompt = self.tracer.system_prompt()
        messages: list[Message] = [*prompt.messages, *self.history, {"role": "user", "content": user_text}]
        with self.tracer.turn(
            session_id=self.session_id,
            user_input=user_text,
            turn_number=self.turns,
            conversation_length=len(self.history) + 1,
        ) as trace:
            self.last_trace_id = trace.trace_id
            answer = self._stream(trace, messages, prompt)
            if answer is not None:
                self.history += [{"role": "user", "content": user_text}, {"role": "assistant", "content": answer}]

    def _stream(self, trace: TurnTrace, messages: list[Message], prompt: SystemPrompt) -> str | None:
        params = GenerationParams(self.config.temperature, self.config.max_tokens)
        trace.start_generation(self.backend.model, messages, params, prompt)
        pieces: list[str] = []
        usage: Usage | None = None
        first_token_at: datetime | None = None
        self.write("Bot: ")
        stream = self.backend.stream(messages, params)
        try:
            for item in stream:
                if isinstance(item, Usage):
                    usage = item
                    continue
                if first_token_at is None:
                    first_token_at = datetime.now(UTC)
                pieces.append(item)
                self.write(item)
        except LLMError as exc:
            message = str(exc)
            self.write("\n")
            self.say(f"[error] {message}")
            self.say("The conversation goes on: try again, or /help.")
            trace.end_generation("".join(pieces), usage, first_token_at, level="ERROR", status_message=message)
            trace.finish(None, level="ERROR", status_message=message)
            return None
        except KeyboardInterrupt:
            stream.close()
            self.write(" [stopped]\n")
            raw = "".join(pieces)
            note = "stopped by the user (Ctrl-C)"
            trace.end_generation(raw, usage, first_token_at, level="WARNING", status_message=note)
            answer = self._process(trace, raw, stopped=True)
            trace.finish(answer, level="WARNING", status_message=note)
            return answer or None
        self.write("\n")
        raw = "".join(pieces)
        trace.end_generation(raw, usage, first_token_at)
        answer = self._process(trace, raw, stopped=False)
        trace.finish(answer)
        return answer

    def _process(self, trace: TurnTrace, raw: str, *, stopped: bool) -> str:
        """Post-processing of the answer before it goes into the history: trimmed, counted."""
        answer = raw.strip()
        trace.processing(raw, answer, {"characters": len(answer), "words": len(answer.split()), "stopped": stopped})
        return answer

    def run(self, lines: Iterable[str | None]) -> None:
        """Play lines until one asks to leave or they run out (None or the end means Ctrl-D)."""
        for line in lines:
            if line is None or not self.handle(line):
                break
