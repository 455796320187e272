"""Folds the chunks of a streamed chat completion into the `ChatCompletion` a non-streaming call returns."""

from __future__ import annotations

from typing import Any, Dict, List, Iterable, Iterator, Optional, AsyncIterable, AsyncIterator

from .._exceptions import LightconeError
from ..types.chat_completion import ChatCompletion
from ..types.chat_completion_chunk import ChoiceDelta, ChunkChoice, ChatCompletionChunk, ChoiceDeltaToolCall
from ..types.chat_completion_token_logprob import ChatCompletionTokenLogprob

__all__ = ["ChatCompletionAccumulator", "accumulate", "aaccumulate", "iter_text", "aiter_text"]

# Chunk fields with their own folding rule; every other field (known or not) is carried over as is.
_CHUNK_OWN_FIELDS = frozenset({"id", "object", "created", "model", "choices", "usage"})
_CHOICE_OWN_FIELDS = frozenset({"index", "delta", "logprobs", "finish_reason", "stop_reason", "token_ids"})
# `reasoning_content` is the old name of `reasoning`, which the delta model already reads it into.
_DELTA_OWN_FIELDS = frozenset(
    {"role", "content", "reasoning", "reasoning_content", "tool_calls", "refusal", "function_call"}
)


def _carry(target: Dict[str, object], key: str, value: object) -> None:
    """Keep the last non-null value of a field, and an explicit null if that is all that was sent."""
    if value is not None or key not in target:
        target[key] = value


class _ToolCall:
    """The pieces of one tool call received so far."""

    __slots__ = ("id", "name", "arguments")

    def __init__(self) -> None:
        self.id: Optional[str] = None
        self.name: Optional[str] = None
        self.arguments: List[str] = []

    def add(self, delta: ChoiceDeltaToolCall) -> None:
        if self.id is None and delta.id:
            self.id = delta.id
        function = delta.function
        if function is not None:
            if self.name is None and function.name:
                self.name = function.name
            if function.arguments:
                self.arguments.append(function.arguments)

    def to_dict(self) -> Dict[str, object]:
        # vLLM parsers have streamed calls without an id (vLLM #18412) or name (#31220): keep them, empty.
        return {
            "id": self.id or "",
            "type": "function",
            "function": {"name": self.name or "", "arguments": "".join(self.arguments)},
        }


class _Choice:
    """Everything received so far for one choice index."""

    __slots__ = (
        "role",
        "content",
        "reasoning",
        "refusal",
        "function_call",
        "message_extra",
        "tool_calls",
        "tool_calls_by_id",
        "logprobs_sent",
        "logprobs_content",
        "logprobs_refusal",
        "token_ids_sent",
        "token_ids",
        "finish_reason",
        "stop_reason_sent",
        "stop_reason",
        "extra",
    )

    def __init__(self) -> None:
        self.role: Optional[str] = None
        self.content: List[str] = []
        self.reasoning: List[str] = []
        self.refusal: Optional[List[str]] = None
        self.function_call: Optional[Dict[str, List[str]]] = None
        self.message_extra: Dict[str, object] = {}
        self.tool_calls: Dict[int, _ToolCall] = {}
        self.tool_calls_by_id: Dict[str, _ToolCall] = {}
        self.logprobs_sent = False
        self.logprobs_content: Optional[List[ChatCompletionTokenLogprob]] = None
        self.logprobs_refusal: Optional[List[ChatCompletionTokenLogprob]] = None
        self.token_ids_sent = False
        self.token_ids: Optional[List[int]] = None
        self.finish_reason: Optional[str] = None
        self.stop_reason_sent = False
        self.stop_reason: object = None
        self.extra: Dict[str, object] = {}

    def add(self, choice: ChunkChoice) -> None:
        self._add_delta(choice.delta)
        sent = choice.model_fields_set
        if "logprobs" in sent:
            self.logprobs_sent = True
            logprobs = choice.logprobs
            if logprobs is not None:
                if logprobs.content is not None:
                    if self.logprobs_content is None:
                        self.logprobs_content = []
                    self.logprobs_content.extend(logprobs.content)
                if logprobs.refusal is not None:
                    if self.logprobs_refusal is None:
                        self.logprobs_refusal = []
                    self.logprobs_refusal.extend(logprobs.refusal)
        if "token_ids" in sent:
            self.token_ids_sent = True
            if choice.token_ids is not None:
                if self.token_ids is None:
                    self.token_ids = []
                self.token_ids.extend(choice.token_ids)
        if choice.finish_reason is not None:
            self.finish_reason = choice.finish_reason
        if "stop_reason" in sent:
            self.stop_reason_sent = True
            if choice.stop_reason is not None:
                self.stop_reason = choice.stop_reason
        for key in sent:
            if key not in _CHOICE_OWN_FIELDS:
                _carry(self.extra, key, getattr(choice, key))

    def _add_delta(self, delta: ChoiceDelta) -> None:
        if delta.role is not None and self.role is None:
            self.role = delta.role
        if delta.content:
            self.content.append(delta.content)
        if delta.reasoning:
            self.reasoning.append(delta.reasoning)
        if delta.refusal is not None:
            if self.refusal is None:
                self.refusal = []
            self.refusal.append(delta.refusal)
        if delta.function_call is not None:
            parts = self.function_call
            if parts is None:
                parts = self.function_call = {"name": [], "arguments": []}
            if delta.function_call.name:
                parts["name"].append(delta.function_call.name)
            if delta.function_call.arguments:
                parts["arguments"].append(delta.function_call.arguments)
        if delta.tool_calls:
            for tool_call in delta.tool_calls:
                self._tool_call_for(tool_call).add(tool_call)
        for key in delta.model_fields_set:
            if key not in _DELTA_OWN_FIELDS:
                value = getattr(delta, key)
                previous = self.message_extra.get(key)
                if isinstance(value, str) and isinstance(previous, str):
                    self.message_extra[key] = previous + value
                else:
                    _carry(self.message_extra, key, value)

    def _tool_call_for(self, delta: ChoiceDeltaToolCall) -> _ToolCall:
        """The call a delta belongs to: by `index`, else by `id`, else a continuation or a new call."""
        calls = self.tool_calls
        # Some OpenAI-compatible servers leave `index` out, so do not trust the model to have it.
        index: Optional[int] = getattr(delta, "index", None)
        if index is None:
            if delta.id is not None and delta.id in self.tool_calls_by_id:
                return self.tool_calls_by_id[delta.id]
            named = delta.function is not None and delta.function.name
            if delta.id is None and not named and calls:
                return calls[max(calls)]  # a bare arguments fragment continues the latest call
            index = max(calls) + 1 if calls else 0
        call = calls.get(index)
        if call is None:
            call = calls[index] = _ToolCall()
        if delta.id is not None:
            self.tool_calls_by_id.setdefault(delta.id, call)
        return call

    def to_dict(self, index: int) -> Dict[str, object]:
        message: Dict[str, object] = {
            "role": self.role if self.role is not None else "assistant",
            # A stream opens every choice with `content: ""`; the non-streaming body has null when
            # nothing was generated as content (only tool calls, or only reasoning).
            "content": "".join(self.content) or None,
            "reasoning": "".join(self.reasoning) or None,
        }
        if self.tool_calls:
            message["tool_calls"] = [self.tool_calls[key].to_dict() for key in sorted(self.tool_calls)]
        if self.refusal is not None:
            message["refusal"] = "".join(self.refusal)
        if self.function_call is not None:
            message["function_call"] = {key: "".join(parts) for key, parts in self.function_call.items()}
        message.update(self.message_extra)
        result: Dict[str, object] = {"index": index, "message": message, "finish_reason": self.finish_reason}
        if self.logprobs_sent:
            no_logprobs = self.logprobs_content is None and self.logprobs_refusal is None
            result["logprobs"] = None if no_logprobs else self._logprobs()
        if self.stop_reason_sent:
            result["stop_reason"] = self.stop_reason
        if self.token_ids_sent:
            result["token_ids"] = self.token_ids  # validation copies the list: snapshots never share it
        result.update(self.extra)
        return result

    def _logprobs(self) -> Dict[str, object]:
        logprobs: Dict[str, object] = {"content": self.logprobs_content}
        if self.logprobs_refusal is not None:
            logprobs["refusal"] = self.logprobs_refusal
        return logprobs


class ChatCompletionAccumulator:
    """Builds a `ChatCompletion` from the chunks of a stream, one `add()` at a time.

    `completion()` gives the snapshot so far; once the stream has ended it equals what the same
    request would have returned without streaming. It handles what vLLM's tool and reasoning
    parsers really send: `reasoning` or `reasoning_content` deltas, a tool call's `id` and name
    only in its first delta or a whole call in one delta, two pieces of the same call in one chunk
    (speculative decoding), calls without an `index`, interleaved choices (`n > 1`), `logprobs`
    and `token_ids` per chunk, and the final usage chunk with no choices.

    Example:
        ```python
        accumulator = ChatCompletionAccumulator()
        for chunk in client.chat.create_completion(messages=messages, stream=True):
            accumulator.add(chunk)
        completion = accumulator.completion()
        ```
    """

    def __init__(self) -> None:
        self._first: Optional[ChatCompletionChunk] = None
        self._choices: Dict[int, _Choice] = {}
        self._fields: Dict[str, object] = {}
        self._usage: object = None
        self._final_usage = False

    def add(self, chunk: ChatCompletionChunk) -> ChatCompletionChunk:
        """Fold `chunk` into the completion, and return it unchanged (handy inside a loop)."""
        if self._first is None:
            self._first = chunk
        for choice in chunk.choices:
            state = self._choices.get(choice.index)
            if state is None:
                state = self._choices[choice.index] = _Choice()
            state.add(choice)
        if chunk.usage is not None and not self._final_usage:
            # With `continuous_usage_stats` every chunk counts its own choice; the final chunk,
            # the one without choices, counts them all.
            self._usage = chunk.usage
            self._final_usage = not chunk.choices
        for key in chunk.model_fields_set:
            if key not in _CHUNK_OWN_FIELDS:
                _carry(self._fields, key, getattr(chunk, key))
        return chunk

    def completion(self) -> ChatCompletion:
        """The completion built from the chunks added so far (final once the stream has ended).

        Raises `LightconeError` when no chunk has been added.
        """
        first = self._first
        if first is None:
            raise LightconeError(
                "The stream held no chunk, so there is no completion to build. A vLLM server older than "
                "0.33 ends the stream this way when generation fails before the first token."
            )
        body: Dict[str, Any] = {
            "id": first.id,
            "object": "chat.completion",
            "created": first.created,
            "model": first.model,
            "choices": [self._choices[index].to_dict(index) for index in sorted(self._choices)],
        }
        body.update(self._fields)
        if self._usage is not None:
            body["usage"] = self._usage
        completion = ChatCompletion.model_validate(body)
        completion._request_id = first._request_id
        return completion


def accumulate(chunks: Iterable[ChatCompletionChunk]) -> ChatCompletion:
    """Read every chunk and return the `ChatCompletion` they add up to."""
    accumulator = ChatCompletionAccumulator()
    for chunk in chunks:
        accumulator.add(chunk)
    return accumulator.completion()


async def aaccumulate(chunks: AsyncIterable[ChatCompletionChunk]) -> ChatCompletion:
    """Read every chunk of an async stream and return the `ChatCompletion` they add up to."""
    accumulator = ChatCompletionAccumulator()
    async for chunk in chunks:
        accumulator.add(chunk)
    return accumulator.completion()


def _text_of(chunk: ChatCompletionChunk, index: int) -> Optional[str]:
    for choice in chunk.choices:
        if choice.index == index and choice.delta.content:
            return choice.delta.content
    return None


def iter_text(chunks: Iterable[ChatCompletionChunk], *, index: int = 0) -> Iterator[str]:
    """The pieces of content text of choice `index`, as they arrive (empty pieces skipped)."""
    for chunk in chunks:
        text = _text_of(chunk, index)
        if text is not None:
            yield text


async def aiter_text(chunks: AsyncIterable[ChatCompletionChunk], *, index: int = 0) -> AsyncIterator[str]:
    """The pieces of content text of choice `index` of an async stream, as they arrive (empty pieces skipped)."""
    async for chunk in chunks:
        text = _text_of(chunk, index)
        if text is not None:
            yield text
