"""The tool loop: ask the model, run the tools it calls, send back their results, until it answers."""

from __future__ import annotations

import inspect
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    List,
    Union,
    Mapping,
    Callable,
    Iterable,
    Iterator,
    Optional,
    Sequence,
    Awaitable,
    AsyncIterator,
    AsyncGenerator,
    cast,
)
from dataclasses import field, dataclass
from typing_extensions import Literal, TypeAlias

from ._tools import FunctionTool
from .._types import Omit, omit
from ..types.chat_completion import ChatCompletion
from ..types.chat_completion_chunk import ChatCompletionChunk
from ..types.chat_completion_message import ChatCompletionMessage
from ..types.chat_completion_tool_param import ChatCompletionToolParam
from ..types.chat_completion_message_param import ChatCompletionMessageParam
from ..types.chat_completion_message_tool_call import ChatCompletionMessageToolCall
from ..types.chat_completion_tool_message_param import ChatCompletionToolMessageParam
from ..types.chat_completion_assistant_message_param import ChatCompletionAssistantMessageParam
from ..types.chat_completion_message_function_tool_call import ChatCompletionMessageFunctionToolCall

if TYPE_CHECKING:
    from .._client import Lightcone, AsyncLightcone

__all__ = [
    "StoppedReason",
    "UnknownToolError",
    "ToolCallResult",
    "Turn",
    "ToolRunResult",
    "ToolLoop",
    "run_tools",
    "iter_tool_turns",
    "arun_tools",
    "aiter_tool_turns",
    "format_tool_error",
    "encode_tool_result",
]

StoppedReason: TypeAlias = Literal["answered", "max_turns"]
"""Why a run ended: the model answered without calling a tool, or `max_turns` model calls were made."""

ChunkCallback: TypeAlias = Callable[[ChatCompletionChunk], object]
AsyncChunkCallback: TypeAlias = Callable[[ChatCompletionChunk], Union[None, Awaitable[None]]]
TurnCallback: TypeAlias = Callable[["Turn"], object]
AsyncTurnCallback: TypeAlias = Callable[["Turn"], Union[None, Awaitable[None]]]


class UnknownToolError(LookupError):
    """The model called a tool that is not among the tools given (reported back to the model)."""


@dataclass
class ToolCallResult:
    """One tool call of a turn: what the model asked for, and what went back to it."""

    tool_call_id: str
    name: str
    arguments: str
    """The arguments as the model wrote them (JSON text)."""
    content: str = ""
    """The text sent back to the model in the `tool` message."""
    output: object = None
    """What the tool returned (`None` when it failed)."""
    error: Optional[Exception] = None
    """Why the call failed: bad arguments, an unknown tool, or the exception the tool raised."""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Turn:
    """One model call of a run, and the tool calls it asked for with their results."""

    index: int
    """0 for the first model call of the run, then 1, 2..."""
    completion: ChatCompletion
    tool_calls: List[ChatCompletionMessageToolCall]
    results: List[ToolCallResult]
    messages: List[ChatCompletionMessageParam]
    """The messages this turn added to the conversation: the assistant message, then one `tool` message per call."""
    stopped_reason: Optional[StoppedReason] = None
    """Set on the last turn of a run: why the run ends there."""

    @property
    def message(self) -> Optional[ChatCompletionMessage]:
        """The model's message (the first choice's), if the completion has a choice."""
        return self.completion.choices[0].message if self.completion.choices else None

    @property
    def is_final(self) -> bool:
        return self.stopped_reason is not None


@dataclass
class ToolRunResult:
    """The outcome of `run_tools`: the last completion, the whole conversation and every turn."""

    completion: ChatCompletion
    """The last completion: the answer, or, with `stopped_reason == "max_turns"`, the last call's."""
    messages: List[ChatCompletionMessageParam]
    """The input messages followed by every assistant and `tool` message of the run."""
    turns: List[Turn] = field(default_factory=lambda: [])
    stopped_reason: StoppedReason = "answered"

    @property
    def content(self) -> Optional[str]:
        """The text of the last completion's first choice."""
        choices = self.completion.choices
        return choices[0].message.content if choices else None


def format_tool_error(error: BaseException) -> str:
    """What the model reads when a call failed: `Error: <Type>: <message>`."""
    message = str(error)
    return f"Error: {type(error).__name__}: {message}" if message else f"Error: {type(error).__name__}"


def encode_tool_result(value: object) -> str:
    """A tool's return value as the `tool` message's text: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    import pydantic_core

    try:
        return pydantic_core.to_json(value).decode("utf-8")
    except Exception:
        # The tool did its work; an odd return value must not turn that into a failure the model retries.
        return str(value)


@dataclass
class _PlannedCall:
    """A tool call ready to run, or already known to fail (unknown tool, not a function call)."""

    tool_call_id: str
    name: str
    arguments: str
    tool: Optional[FunctionTool[Any, Any]]
    error: Optional[Exception] = None

    def succeeded(self, output: object) -> ToolCallResult:
        return ToolCallResult(self.tool_call_id, self.name, self.arguments, encode_tool_result(output), output)

    def failed(self, error: Exception) -> ToolCallResult:
        return ToolCallResult(self.tool_call_id, self.name, self.arguments, format_tool_error(error), error=error)


class ToolLoop:
    """The decisions of a tool run, without I/O: what to send, which calls to run, when to stop.

    The sync and async runners drive it: `plan()` a completion, run the planned calls,
    `finish()` the turn, and stop when the returned turn `is_final`.
    """

    def __init__(
        self,
        messages: Iterable[ChatCompletionMessageParam],
        tools: Sequence[FunctionTool[Any, Any]],
        max_turns: int,
    ) -> None:
        if max_turns < 1:
            raise ValueError(f"max_turns must be at least 1, got {max_turns}")
        self.tools: Dict[str, FunctionTool[Any, Any]] = {}
        for tool in tools:
            if not isinstance(tool, FunctionTool):
                raise TypeError(f"tools must be made with function_tool(...), got {tool!r}")
            if tool.name in self.tools:
                raise ValueError(f"two tools are named {tool.name!r}: give one of them another name")
            self.tools[tool.name] = tool
        self.tool_params: Union[List[ChatCompletionToolParam], Omit] = (
            [tool.to_param() for tool in tools] if tools else omit
        )
        self.messages: List[ChatCompletionMessageParam] = list(messages)
        self.max_turns = max_turns
        self.turns: List[Turn] = []

    def plan(self, completion: ChatCompletion) -> List[_PlannedCall]:
        """The calls the completion's first choice asks for, in order."""
        if not completion.choices:
            return []
        planned: List[_PlannedCall] = []
        for call in completion.choices[0].message.tool_calls or []:
            if isinstance(call, ChatCompletionMessageFunctionToolCall):
                name, arguments = call.function.name, call.function.arguments
                tool = self.tools.get(name)
                error: Optional[Exception] = None
                if tool is None:
                    known = ", ".join(self.tools) or "none"
                    error = UnknownToolError(f"there is no tool named {name!r}; the tools are: {known}")
                planned.append(_PlannedCall(call.id, name, arguments, tool, error))
            else:
                kind = getattr(call, "type", None)
                planned.append(
                    _PlannedCall(
                        call.id or "",
                        "",
                        "",
                        None,
                        UnknownToolError(f"tool calls of type {kind!r} are not supported; call a function tool"),
                    )
                )
        return planned

    def finish(self, completion: ChatCompletion, results: List[ToolCallResult]) -> Turn:
        """Record the turn: append its messages, and decide whether the run stops after it."""
        added: List[ChatCompletionMessageParam] = []
        message = completion.choices[0].message if completion.choices else None
        if message is not None:
            added.append(_assistant_message(message))
        for result in results:
            tool_message: ChatCompletionToolMessageParam = {
                "role": "tool",
                "tool_call_id": result.tool_call_id,
                "content": result.content,
            }
            added.append(tool_message)
        self.messages.extend(added)
        stopped: Optional[StoppedReason] = None
        if not results:
            stopped = "answered"
        elif len(self.turns) + 1 >= self.max_turns:
            stopped = "max_turns"
        turn = Turn(
            index=len(self.turns),
            completion=completion,
            tool_calls=list(message.tool_calls or []) if message is not None else [],
            results=results,
            messages=added,
            stopped_reason=stopped,
        )
        self.turns.append(turn)
        return turn

    def result(self) -> ToolRunResult:
        last = self.turns[-1]
        return ToolRunResult(
            completion=last.completion,
            messages=list(self.messages),
            turns=list(self.turns),
            stopped_reason=last.stopped_reason or "answered",
        )


def _assistant_message(message: ChatCompletionMessage) -> ChatCompletionMessageParam:
    """The model's message as history: content, tool calls, and reasoning under the name vLLM reads."""
    assistant: Dict[str, object] = {"role": "assistant", "content": message.content}
    if message.reasoning is not None:
        assistant["reasoning"] = message.reasoning
    if message.tool_calls:
        assistant["tool_calls"] = [_tool_call_param(call) for call in message.tool_calls]
    return cast(ChatCompletionAssistantMessageParam, assistant)


def _tool_call_param(call: ChatCompletionMessageToolCall) -> Dict[str, object]:
    if isinstance(call, ChatCompletionMessageFunctionToolCall):
        function = {"name": call.function.name, "arguments": call.function.arguments}
        return {"id": call.id, "type": "function", "function": function}
    return call.to_dict(mode="json")


def _check_sync_tools(tools: Sequence[FunctionTool[Any, Any]]) -> None:
    async_tools = [tool.name for tool in tools if isinstance(tool, FunctionTool) and tool.is_async]
    if async_tools:
        raise TypeError(
            f"async tools ({', '.join(async_tools)}) need the async runner: use arun_tools with an AsyncLightcone"
        )


def _check_callbacks(stream: bool, on_chunk: object) -> None:
    if on_chunk is not None and not stream:
        raise ValueError("on_chunk needs stream=True: chunks only exist when the turns are streamed")


# -- sync ----------------------------------------------------------------------------------------


def _observe(chunks: Iterable[ChatCompletionChunk], on_chunk: Optional[ChunkCallback]) -> Iterator[ChatCompletionChunk]:
    for chunk in chunks:
        if on_chunk is not None:
            on_chunk(chunk)
        yield chunk


def _complete(
    client: Lightcone,
    loop: ToolLoop,
    stream: bool,
    on_chunk: Optional[ChunkCallback],
    create_kwargs: Mapping[str, Any],
) -> ChatCompletion:
    if not stream:
        # `create_kwargs` hides from type checkers which overload applies: without `stream`, this one.
        return cast(
            ChatCompletion,
            client.chat.create_completion(messages=list(loop.messages), tools=loop.tool_params, **create_kwargs),
        )
    from ._accumulator import accumulate

    with client.chat.create_completion(
        messages=list(loop.messages), tools=loop.tool_params, stream=True, **create_kwargs
    ) as chunks:
        return accumulate(_observe(chunks, on_chunk))


def _execute(call: _PlannedCall) -> ToolCallResult:
    if call.tool is None:
        return call.failed(call.error or UnknownToolError(call.name))
    try:
        output = call.tool.call(call.arguments)
    except Exception as exc:
        return call.failed(exc)
    return call.succeeded(output)


def _drive(
    client: Lightcone,
    loop: ToolLoop,
    stream: bool,
    on_chunk: Optional[ChunkCallback],
    create_kwargs: Mapping[str, Any],
) -> Iterator[Turn]:
    while True:
        completion = _complete(client, loop, stream, on_chunk, create_kwargs)
        results = [_execute(call) for call in loop.plan(completion)]
        turn = loop.finish(completion, results)
        yield turn
        if turn.is_final:
            return


def iter_tool_turns(
    client: Lightcone,
    *,
    messages: Iterable[ChatCompletionMessageParam],
    tools: Sequence[FunctionTool[Any, Any]],
    max_turns: int = 10,
    stream: bool = False,
    on_chunk: Optional[ChunkCallback] = None,
    **create_kwargs: Any,
) -> Iterator[Turn]:
    """Run the tool loop one turn at a time: each `Turn` is yielded once its tools have run.

    Same arguments as `run_tools`. The input messages followed by each turn's `messages` make
    the conversation; the last turn has `stopped_reason` set. Stop iterating to stop the run.
    """
    _check_sync_tools(tools)
    _check_callbacks(stream, on_chunk)
    loop = ToolLoop(messages, tools, max_turns)
    return _drive(client, loop, stream, on_chunk, create_kwargs)


def run_tools(
    client: Lightcone,
    *,
    messages: Iterable[ChatCompletionMessageParam],
    tools: Sequence[FunctionTool[Any, Any]],
    max_turns: int = 10,
    stream: bool = False,
    on_turn: Optional[TurnCallback] = None,
    on_chunk: Optional[ChunkCallback] = None,
    **create_kwargs: Any,
) -> ToolRunResult:
    """Let the model call `tools` until it answers, and return the answer with the whole conversation.

    Each turn calls the model with the conversation so far, runs the function tools it asks
    for (in order), and appends the assistant message and one `tool` message per call. A call
    to an unknown tool, arguments that do not validate, or an exception in a tool are not
    raised: the model reads `Error: <Type>: <message>` as the result and may try again.
    Results that are not strings are sent as JSON.

    The run ends when the model answers without calling a tool (`stopped_reason ==
    "answered"`) or after `max_turns` model calls (`"max_turns"`; the last turn's tools have run,
    so `messages` can be sent again to go on). `stream=True` streams every model call, passing
    each chunk to `on_chunk`; `on_turn` sees each turn as it ends. Other keyword arguments
    (`model`, `temperature`, `tool_choice`, `extra_body`, `timeout`...) go to every
    `create_completion` call. API errors are raised as usual.
    """
    _check_sync_tools(tools)
    _check_callbacks(stream, on_chunk)
    loop = ToolLoop(messages, tools, max_turns)
    for turn in _drive(client, loop, stream, on_chunk, create_kwargs):
        if on_turn is not None:
            on_turn(turn)
    return loop.result()


# -- async ---------------------------------------------------------------------------------------


async def _notify(callback: Callable[[Any], Union[None, Awaitable[None]]], value: object) -> None:
    outcome = callback(value)
    if inspect.isawaitable(outcome):
        await outcome


async def _acomplete(
    client: AsyncLightcone,
    loop: ToolLoop,
    stream: bool,
    on_chunk: Optional[AsyncChunkCallback],
    create_kwargs: Mapping[str, Any],
) -> ChatCompletion:
    if not stream:
        return cast(
            ChatCompletion,
            await client.chat.create_completion(messages=list(loop.messages), tools=loop.tool_params, **create_kwargs),
        )
    from ._accumulator import ChatCompletionAccumulator

    accumulator = ChatCompletionAccumulator()
    async with await client.chat.create_completion(
        messages=list(loop.messages), tools=loop.tool_params, stream=True, **create_kwargs
    ) as chunks:
        async for chunk in chunks:
            if on_chunk is not None:
                await _notify(on_chunk, chunk)
            accumulator.add(chunk)
    return accumulator.completion()


async def _aexecute(call: _PlannedCall) -> ToolCallResult:
    if call.tool is None:
        return call.failed(call.error or UnknownToolError(call.name))
    try:
        output = await call.tool.acall(call.arguments)
    except Exception as exc:
        return call.failed(exc)
    return call.succeeded(output)


async def _aexecute_all(calls: List[_PlannedCall]) -> List[ToolCallResult]:
    if len(calls) <= 1:
        return [await _aexecute(call) for call in calls]
    import anyio

    results: List[Optional[ToolCallResult]] = [None] * len(calls)

    async def run(index: int) -> None:
        results[index] = await _aexecute(calls[index])

    async with anyio.create_task_group() as group:
        for index in range(len(calls)):
            group.start_soon(run, index)
    return [result for result in results if result is not None]


async def _adrive(
    client: AsyncLightcone,
    loop: ToolLoop,
    stream: bool,
    on_chunk: Optional[AsyncChunkCallback],
    create_kwargs: Mapping[str, Any],
) -> AsyncGenerator[Turn, None]:
    while True:
        completion = await _acomplete(client, loop, stream, on_chunk, create_kwargs)
        results = await _aexecute_all(loop.plan(completion))
        turn = loop.finish(completion, results)
        yield turn
        if turn.is_final:
            return


def aiter_tool_turns(
    client: AsyncLightcone,
    *,
    messages: Iterable[ChatCompletionMessageParam],
    tools: Sequence[FunctionTool[Any, Any]],
    max_turns: int = 10,
    stream: bool = False,
    on_chunk: Optional[AsyncChunkCallback] = None,
    **create_kwargs: Any,
) -> AsyncIterator[Turn]:
    """The async twin of `iter_tool_turns` (`async for turn in aiter_tool_turns(...)`).

    The tool calls of one turn run concurrently; sync tools run in worker threads.
    """
    _check_callbacks(stream, on_chunk)
    loop = ToolLoop(messages, tools, max_turns)
    return _adrive(client, loop, stream, on_chunk, create_kwargs)


async def arun_tools(
    client: AsyncLightcone,
    *,
    messages: Iterable[ChatCompletionMessageParam],
    tools: Sequence[FunctionTool[Any, Any]],
    max_turns: int = 10,
    stream: bool = False,
    on_turn: Optional[AsyncTurnCallback] = None,
    on_chunk: Optional[AsyncChunkCallback] = None,
    **create_kwargs: Any,
) -> ToolRunResult:
    """The async twin of `run_tools`.

    The tool calls of one turn run concurrently (async tools as tasks, sync tools in worker
    threads); their results go back in the order the model made the calls. `on_turn` and
    `on_chunk` may be plain or async functions.
    """
    _check_callbacks(stream, on_chunk)
    loop = ToolLoop(messages, tools, max_turns)
    turns = _adrive(client, loop, stream, on_chunk, create_kwargs)
    try:
        async for turn in turns:
            if on_turn is not None:
                await _notify(on_turn, turn)
    finally:
        await turns.aclose()
    return loop.result()
