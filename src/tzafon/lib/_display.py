"""Shows completions in notebooks: Markdown for a `ChatCompletion`, and a live view of a stream."""

from __future__ import annotations

import re
import sys
import json
import time
from typing import TYPE_CHECKING, Any, List, Iterable, Optional, AsyncIterable, cast

from ._accumulator import ChatCompletionAccumulator

if TYPE_CHECKING:
    from ..types.chat_completion import Choice, ChatCompletion
    from ..types.chat_completion_chunk import ChatCompletionChunk

__all__ = ["completion_markdown", "display_stream", "adisplay_stream"]

# A notebook redraws the whole Markdown on every update: refresh at most this often while streaming.
_REFRESH_SECONDS = 0.1
_BACKTICK_RUN = re.compile(r"`+")


def completion_markdown(completion: ChatCompletion) -> str:
    """The completion as Markdown: each choice's content, reasoning (collapsed), tool calls, finish reason and usage."""
    sections: List[str] = []
    several = len(completion.choices) > 1
    for choice in completion.choices:
        sections.append(_choice_markdown(choice, heading=several))
    footer: List[str] = []
    if not several and completion.choices and completion.choices[0].finish_reason is not None:
        footer.append(f"finish reason: `{completion.choices[0].finish_reason}`")
    usage = completion.usage
    if usage is not None:
        completion_tokens = usage.completion_tokens if usage.completion_tokens is not None else "?"
        footer.append(
            f"usage: {usage.prompt_tokens} prompt + {completion_tokens} completion = {usage.total_tokens} tokens"
        )
    footer.append(f"model: `{completion.model}`")
    sections.append("<sub>" + " · ".join(footer) + "</sub>")
    return "\n\n".join(section for section in sections if section)


def _choice_markdown(choice: Choice, *, heading: bool) -> str:
    message = choice.message
    parts: List[str] = []
    if heading:
        finish = f" (finish reason: `{choice.finish_reason}`)" if choice.finish_reason is not None else ""
        parts.append(f"#### Choice {choice.index}{finish}")
    if message.reasoning:
        quoted = "\n".join("> " + line for line in _escape_html(message.reasoning).splitlines())
        parts.append(f"<details><summary>Reasoning</summary>\n\n{quoted}\n\n</details>")
    content = (message.content or "").strip()  # reasoning models often open with blank lines
    if content:
        parts.append(content)
    if message.refusal:
        parts.append(f"**Refusal:** {message.refusal}")
    for call in message.tool_calls or []:
        function = getattr(call, "function", None)
        name = getattr(function, "name", None) or getattr(call, "type", None) or "tool"
        arguments = getattr(function, "arguments", None)
        call_id = f" <sub>`{call.id}`</sub>" if call.id else ""
        parts.append(f"**Tool call** `{name}`{call_id}\n\n" + _code_block(_pretty_json(arguments), "json"))
    return "\n\n".join(parts)


def _pretty_json(text: Optional[str]) -> str:
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text  # arguments the model got wrong are shown as they came


def _code_block(text: str, language: str) -> str:
    # The fence must be longer than any run of backticks inside, or the text would close it.
    longest = max((len(run) for run in _BACKTICK_RUN.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _notebook_display() -> Optional[Any]:
    """IPython's `display` and `Markdown` when running inside IPython, else `None`."""
    ipython = sys.modules.get("IPython")  # never imported here: if it is not loaded, this is not a notebook
    if ipython is None or getattr(ipython, "get_ipython", lambda: None)() is None:
        return None
    from IPython import display  # type: ignore[import-not-found,unused-ignore]

    return cast(Any, display)


class _View:
    """Where a stream is shown: an updating Markdown display in IPython, plain text on stdout elsewhere."""

    def __init__(self) -> None:
        self.accumulator = ChatCompletionAccumulator()
        self.display = _notebook_display()
        self.handle: Any = None
        self.shown_at = 0.0
        self.printed = False
        if self.display is not None:
            self.handle = self.display.display(self.display.Markdown(""), display_id=True)

    def add(self, chunk: ChatCompletionChunk) -> None:
        self.accumulator.add(chunk)
        if self.handle is None:
            for choice in chunk.choices:
                if choice.index == 0 and choice.delta.content:
                    sys.stdout.write(choice.delta.content)
                    sys.stdout.flush()
                    self.printed = True
        elif time.monotonic() - self.shown_at >= _REFRESH_SECONDS:
            self.refresh()

    def refresh(self) -> None:
        self.handle.update(self.display.Markdown(completion_markdown(self.accumulator.completion())))  # type: ignore[union-attr]
        self.shown_at = time.monotonic()

    def finish(self) -> ChatCompletion:
        completion = self.accumulator.completion()
        if self.handle is not None:
            self.refresh()
        elif self.printed:
            sys.stdout.write("\n")
            sys.stdout.flush()
        return completion


def display_stream(stream: Iterable[ChatCompletionChunk]) -> ChatCompletion:
    """Show a stream as it arrives and return the accumulated completion.

    In IPython/Jupyter one Markdown output is updated in place (content, reasoning, tool calls,
    then finish reason and usage); elsewhere the content text of the first choice is printed.
    """
    view = _View()
    for chunk in stream:
        view.add(chunk)
    return view.finish()


async def adisplay_stream(stream: AsyncIterable[ChatCompletionChunk]) -> ChatCompletion:
    """`display_stream` for an async stream (e.g. `await adisplay_stream(stream)` in a notebook cell)."""
    view = _View()
    async for chunk in stream:
        view.add(chunk)
    return view.finish()
