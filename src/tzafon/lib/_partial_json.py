"""A tolerant parser for JSON that is still arriving: the value a prefix of a JSON text stands for so far."""

from __future__ import annotations

import re
import json
from typing import Any, Dict, List, Tuple, Iterable, Iterator, AsyncIterable, AsyncIterator

from ..types.chat_completion_chunk import ChatCompletionChunk

__all__ = ["parse_partial_json", "iter_partial_json", "aiter_partial_json"]

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_PARTIAL_UNICODE_ESCAPE = re.compile(r"(\\+)u[0-9a-fA-F]{0,3}$")
_TRAILING_BACKSLASHES = re.compile(r"\\+$")
_LITERALS = (("true", True), ("false", False), ("null", None))
_MISSING: Any = object()


class _PartialParser:
    """Recursive descent that stops, keeping what it built, at the end of the text or at the first bad character."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.end = len(text)

    def skip_whitespace(self) -> bool:
        """Skip whitespace; `False` when nothing is left to read."""
        match = _WHITESPACE.match(self.text, self.pos)
        if match is not None:
            self.pos = match.end()
        return self.pos < self.end

    def stop(self) -> Any:
        # Not a JSON prefix from here on: treat it as the end of what has arrived.
        self.pos = self.end
        return _MISSING

    def value(self) -> Any:
        """The next value, completed as far as the text allows; `_MISSING` if none has started yet."""
        if not self.skip_whitespace():
            return _MISSING
        char = self.text[self.pos]
        if char == "{":
            return self.object()
        if char == "[":
            return self.array()
        if char == '"':
            return self.string()[0]
        if char == "-" or char.isdigit():
            return self.number()
        rest = self.text[self.pos : self.pos + 5]
        for word, literal in _LITERALS:
            if rest.startswith(word):
                self.pos += len(word)
                return literal
            if word.startswith(rest) and self.pos + len(rest) == self.end:
                self.pos = self.end  # `tr` at the very end can only become `true`
                return literal
        return self.stop()

    def object(self) -> Dict[str, Any]:
        result: Dict[str, Any] = {}
        self.pos += 1
        while self.skip_whitespace():
            char = self.text[self.pos]
            if char == "}":
                self.pos += 1
                return result
            if char == ",":
                self.pos += 1
                continue
            if char != '"':
                self.stop()
                break
            key, closed = self.string()
            if key is _MISSING:
                self.stop()
                break
            if not closed or not self.skip_whitespace():
                break  # a key without its value yet is left out
            if self.text[self.pos] != ":":
                self.stop()
                break
            self.pos += 1
            item = self.value()
            if item is _MISSING:
                break
            result[key] = item
        return result

    def array(self) -> List[Any]:
        result: List[Any] = []
        self.pos += 1
        while self.skip_whitespace():
            char = self.text[self.pos]
            if char == "]":
                self.pos += 1
                return result
            if char == ",":
                self.pos += 1
                continue
            item = self.value()
            if item is _MISSING:
                break
            result.append(item)
        return result

    def string(self) -> Tuple[Any, bool]:
        """The string at `pos` (an open one closed where the text ends), and whether its quote was closed."""
        text = self.text
        start = self.pos + 1
        search = start
        while True:
            quote = text.find('"', search)
            if quote < 0:
                self.pos = self.end
                return _decode(_without_partial_escape(text[start:])), False
            backslashes = 0
            while text[quote - 1 - backslashes] == "\\":
                backslashes += 1
            if backslashes % 2 == 0:
                self.pos = quote + 1
                return _decode(text[start:quote]), True
            search = quote + 1

    def number(self) -> Any:
        match = _NUMBER.match(self.text, self.pos)
        if match is None:  # a lone `-`
            return self.stop()
        self.pos = match.end()
        token = match.group()
        if "." in token or "e" in token or "E" in token:
            return float(token)
        return int(token)


def _without_partial_escape(raw: str) -> str:
    """Cut an escape sequence that the end of the text split (`\\` or `\\u00`)."""
    match = _PARTIAL_UNICODE_ESCAPE.search(raw)
    if match is not None and len(match.group(1)) % 2 == 1:
        return raw[: match.start()] + match.group(1)[:-1]
    match = _TRAILING_BACKSLASHES.search(raw)
    if match is not None and len(match.group()) % 2 == 1:
        return raw[:-1]
    return raw


def _decode(raw: str) -> Any:
    if "\\" not in raw:
        return raw
    try:
        return json.loads(f'"{raw}"', strict=False)
    except ValueError:
        return _MISSING


def parse_partial_json(text: str) -> Any:
    """The value the beginning of a JSON text stands for so far; `None` while no value has started.

    Open strings, arrays and objects are closed where the text ends; a key whose value has not
    started yet is left out, and a number or literal keeps what has arrived (`tr` reads as `true`).
    Once the text is complete the result equals `json.loads(text)`. It never raises: text that
    stops being JSON is read up to the first character that does not fit.
    """
    parser = _PartialParser(text)
    result = parser.value()
    return None if result is _MISSING else result


def _content_of(chunk: ChatCompletionChunk, index: int) -> str:
    for choice in chunk.choices:
        if choice.index == index and choice.delta.content:
            return choice.delta.content
    return ""


def iter_partial_json(chunks: Iterable[ChatCompletionChunk], *, index: int = 0) -> Iterator[Any]:
    """Each new partial value of the JSON that choice `index` streams as its content.

    Use it with structured outputs to show a result while it is generated: every value yielded is
    a fresh object, and the last one is the complete value.

    Example:
        ```python
        stream = client.chat.create_completion(messages=messages, stream=True, **build_parse_request(Event))
        for partial in iter_partial_json(stream):
            print(partial.get("title"))
        ```
    """
    text = ""
    last: Any = _MISSING
    for chunk in chunks:
        piece = _content_of(chunk, index)
        if not piece:
            continue
        text += piece
        value = parse_partial_json(text)
        if value is not None and value != last:
            last = value
            yield value


async def aiter_partial_json(chunks: AsyncIterable[ChatCompletionChunk], *, index: int = 0) -> AsyncIterator[Any]:
    """Each new partial value of the JSON that choice `index` of an async stream streams as its content."""
    text = ""
    last: Any = _MISSING
    async for chunk in chunks:
        piece = _content_of(chunk, index)
        if not piece:
            continue
        text += piece
        value = parse_partial_json(text)
        if value is not None and value != last:
            last = value
            yield value
