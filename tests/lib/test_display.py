"""Notebook rendering: the Markdown of a completion, and `display_stream` with and without IPython."""

from __future__ import annotations

import sys
import types
from typing import Any, List, AsyncIterator
from pathlib import Path

import pytest

from tzafon.lib import accumulate, display_stream, adisplay_stream, completion_markdown
from tests.lib.test_accumulator import read_chunks
from tzafon.types.chat_completion import ChatCompletion
from tzafon.types.chat_completion_chunk import ChatCompletionChunk

FIXTURES = Path(__file__).parent.parent / "fixtures"


def load(name: str) -> ChatCompletion:
    return ChatCompletion.model_validate_json((FIXTURES / name).read_bytes())


def test_markdown_of_a_text_answer_has_content_finish_reason_and_usage() -> None:
    markdown = completion_markdown(load("completion_text.json"))
    assert markdown.startswith("Hello! It's nice to meet you.")
    assert "finish reason: `stop`" in markdown
    assert "usage: 42 prompt + 10 completion = 52 tokens" in markdown
    assert "Reasoning" not in markdown and "Tool call" not in markdown


def test_markdown_puts_reasoning_in_a_collapsed_quote_before_the_answer() -> None:
    markdown = completion_markdown(load("completion_reasoning_v0_33.json"))
    assert "<details><summary>Reasoning</summary>\n\n> Okay, 17 times 23: 17 × 20 = 340" in markdown
    assert "</details>\n\n17 × 23 = **391**\n\n<sub>" in markdown


def test_markdown_shows_tool_calls_with_pretty_printed_arguments() -> None:
    markdown = completion_markdown(load("completion_tool_calls.json"))
    assert "**Tool call** `get_weather`" in markdown
    assert '```json\n{\n  "city": "Paris",\n  "unit": "celsius"\n}\n```' in markdown
    assert "**Tool call** `get_local_time`" in markdown
    assert "chatcmpl-tool-5d0b6c1f2e7a4b39a8c4e1f09d3b2a76" in markdown
    assert "finish reason: `tool_calls`" in markdown


def test_markdown_of_several_choices_heads_each_with_its_finish_reason() -> None:
    markdown = completion_markdown(load("completion_n2.json"))
    assert "#### Choice 0 (finish reason: `stop`)\n\nRed." in markdown
    assert "#### Choice 1 (finish reason: `length`)\n\nBlue is a primary" in markdown


def test_markdown_keeps_odd_output_from_breaking_the_layout() -> None:
    body: Any = load("completion_tool_calls.json").to_dict()
    message = body["choices"][0]["message"]
    message["tool_calls"][0]["function"]["arguments"] = '{"code": "```py"'  # not even valid JSON
    message["reasoning"] = "Use <b>bold</b> & co"
    markdown = completion_markdown(ChatCompletion.model_validate(body))
    assert '````json\n{"code": "```py"\n````' in markdown  # shown raw, in a longer fence
    assert "> Use &lt;b>bold&lt;/b> &amp; co" in markdown


def test_display_stream_prints_the_text_outside_ipython(capsys: pytest.CaptureFixture[str]) -> None:
    chunks = read_chunks(FIXTURES / "stream_reasoning.sse")
    completion = display_stream(chunks)
    assert capsys.readouterr().out == "\n\n17 × 23 = **391**\n"
    assert completion == accumulate(chunks)


def test_display_stream_prints_when_ipython_is_loaded_but_not_running(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", fake)
    display_stream(read_chunks(FIXTURES / "stream_text.sse"))
    assert capsys.readouterr().out == "Hello! It's nice to meet you.\n"


class FakeHandle:
    def __init__(self) -> None:
        self.shown: List[str] = []

    def update(self, obj: Any) -> None:
        self.shown.append(obj.data)


def fake_ipython(monkeypatch: pytest.MonkeyPatch) -> FakeHandle:
    handle = FakeHandle()

    class Markdown:
        def __init__(self, data: str) -> None:
            self.data = data

    def display(obj: Any, display_id: bool = False) -> FakeHandle:
        assert display_id is True
        handle.shown.append(obj.data)
        return handle

    display_module = types.ModuleType("IPython.display")
    display_module.Markdown = Markdown  # type: ignore[attr-defined]
    display_module.display = display  # type: ignore[attr-defined]
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: object()  # type: ignore[attr-defined]
    ipython.display = display_module  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display_module)
    return handle


def test_display_stream_updates_one_notebook_output_in_place(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    handle = fake_ipython(monkeypatch)
    chunks = read_chunks(FIXTURES / "stream_tool_calls.sse")

    completion = display_stream(chunks)

    assert capsys.readouterr().out == ""
    assert handle.shown[0] == ""
    assert handle.shown[-1] == completion_markdown(completion)
    assert "**Tool call** `get_local_time`" in handle.shown[-1]


@pytest.mark.anyio
async def test_adisplay_stream_shows_an_async_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    handle = fake_ipython(monkeypatch)

    async def source() -> AsyncIterator[ChatCompletionChunk]:
        for chunk in read_chunks(FIXTURES / "stream_n2.sse"):
            yield chunk

    completion = await adisplay_stream(source())
    assert [choice.message.content for choice in completion.choices] == ["Red.", "Blue is a primary"]
    assert handle.shown[-1] == completion_markdown(completion)
