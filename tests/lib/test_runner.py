"""The tool runner against a local vLLM-like server: turns, tool results, errors, limits, streaming, concurrency."""

from __future__ import annotations

from typing import Any, Dict, List, Iterator

import anyio
import pytest

from tzafon import Lightcone, AsyncLightcone
from tzafon.testing import Reply, ToolCall, LightconeTestServer
from tzafon.lib._tools import ToolArgumentsError, function_tool
from tzafon.lib._runner import (
    Turn,
    ToolRunResult,
    UnknownToolError,
    run_tools,
    arun_tools,
    iter_tool_turns,
    aiter_tool_turns,
)
from tzafon.types.chat_completion_chunk import ChatCompletionChunk
from tzafon.types.chat_completion_message_param import ChatCompletionMessageParam

QUESTION: List[ChatCompletionMessageParam] = [{"role": "user", "content": "Weather in Paris, and check the alarms?"}]
ANSWER = "It is 21 degrees in Paris; the alarm check failed."


def get_weather(city: str) -> Dict[str, Any]:
    """Current weather of a city."""
    return {"city": city, "celsius": 21}


def check_alarms(zone: str) -> str:
    """Check the alarms of a zone."""
    raise RuntimeError(f"alarm service down in {zone}")


TOOLS = [function_tool(get_weather), function_tool(check_alarms)]


@pytest.fixture
def server() -> Iterator[LightconeTestServer]:
    with LightconeTestServer() as server:
        yield server


@pytest.fixture
def client(server: LightconeTestServer) -> Iterator[Lightcone]:
    with Lightcone(api_key="test-key", base_url=server.base_url, max_retries=0) as client:
        yield client


@pytest.fixture
async def async_client(server: LightconeTestServer) -> Any:
    async with AsyncLightcone(api_key="test-key", base_url=server.base_url, max_retries=0) as client:
        yield client


def _script_two_turns(server: LightconeTestServer) -> None:
    server.enqueue(
        Reply(
            reasoning="I need the weather and the alarms.",
            tool_calls=[
                ToolCall("get_weather", {"city": "Paris"}, id="call-weather"),
                ToolCall("check_alarms", {"zone": "north"}, id="call-alarms"),
            ],
        ),
        Reply(content=ANSWER),
    )


def _check_two_turn_run(result: ToolRunResult, server: LightconeTestServer) -> None:
    assert result.stopped_reason == "answered"
    assert result.content == ANSWER
    assert len(result.turns) == 2

    first = result.turns[0]
    weather, alarms = first.results
    assert weather.ok and weather.output == {"city": "Paris", "celsius": 21}
    assert weather.content == '{"city":"Paris","celsius":21}'
    assert not alarms.ok and isinstance(alarms.error, RuntimeError)
    assert alarms.content == "Error: RuntimeError: alarm service down in north"
    assert first.stopped_reason is None and result.turns[1].stopped_reason == "answered"

    first_request, second_request = (request.json for request in server.requests)
    for body in (first_request, second_request):
        assert [tool["function"]["name"] for tool in body["tools"]] == ["get_weather", "check_alarms"]
        assert body["model"] == "test-model" and body["temperature"] == 0.2
    assert first_request["messages"] == QUESTION
    assistant, weather_message, alarms_message = second_request["messages"][1:]
    assert assistant["role"] == "assistant"
    assert assistant["reasoning"] == "I need the weather and the alarms."
    assert [call["id"] for call in assistant["tool_calls"]] == ["call-weather", "call-alarms"]
    assert assistant["tool_calls"][0]["function"] == {"name": "get_weather", "arguments": '{"city": "Paris"}'}
    assert weather_message == {
        "role": "tool",
        "tool_call_id": "call-weather",
        "content": '{"city":"Paris","celsius":21}',
    }
    assert alarms_message == {
        "role": "tool",
        "tool_call_id": "call-alarms",
        "content": "Error: RuntimeError: alarm service down in north",
    }
    # The returned conversation is what was sent, plus the final answer; the caller's list is untouched.
    assert result.messages[:-1] == second_request["messages"]
    assert result.messages[-1] == {"role": "assistant", "content": ANSWER}
    assert len(QUESTION) == 1


def test_two_turns_with_parallel_calls_and_a_failing_tool(server: LightconeTestServer, client: Lightcone) -> None:
    _script_two_turns(server)
    seen: List[Turn] = []

    result = run_tools(client, messages=QUESTION, tools=TOOLS, model="test-model", temperature=0.2, on_turn=seen.append)

    _check_two_turn_run(result, server)
    assert seen == result.turns


@pytest.mark.anyio
async def test_async_two_turns_with_parallel_calls_and_a_failing_tool(
    server: LightconeTestServer, async_client: AsyncLightcone
) -> None:
    _script_two_turns(server)
    seen: List[Turn] = []

    async def on_turn(turn: Turn) -> None:
        seen.append(turn)

    result = await arun_tools(
        async_client, messages=QUESTION, tools=TOOLS, model="test-model", temperature=0.2, on_turn=on_turn
    )

    _check_two_turn_run(result, server)
    assert seen == result.turns


def test_streamed_turns_show_every_chunk_and_give_the_same_result(
    server: LightconeTestServer, client: Lightcone
) -> None:
    _script_two_turns(server)
    chunks: List[ChatCompletionChunk] = []

    result = run_tools(
        client,
        messages=QUESTION,
        tools=TOOLS,
        stream=True,
        on_chunk=chunks.append,
        model="test-model",
        temperature=0.2,
    )

    _check_two_turn_run(result, server)
    assert all(request.json["stream"] is True for request in server.requests)
    streamed_text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed_text == ANSWER


@pytest.mark.anyio
async def test_async_streamed_turns(server: LightconeTestServer, async_client: AsyncLightcone) -> None:
    _script_two_turns(server)
    chunks: List[ChatCompletionChunk] = []

    result = await arun_tools(
        async_client,
        messages=QUESTION,
        tools=TOOLS,
        stream=True,
        on_chunk=chunks.append,
        model="test-model",
        temperature=0.2,
    )

    _check_two_turn_run(result, server)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == ANSWER


def test_max_turns_stops_with_a_flag_not_an_exception(server: LightconeTestServer, client: Lightcone) -> None:
    server.set_default(Reply(tool_calls=[ToolCall("get_weather", {"city": "Rome"})]))

    result = run_tools(client, messages=QUESTION, tools=TOOLS, max_turns=3)

    assert result.stopped_reason == "max_turns"
    assert len(server.requests) == 3
    assert len(result.turns) == 3
    assert result.completion.choices[0].finish_reason == "tool_calls"
    # The last turn's calls ran too, so the conversation can be sent again to go on.
    assert result.messages[-1]["role"] == "tool"
    assert len(result.messages) == 1 + 3 * 2


def test_unknown_tools_and_bad_arguments_are_reported_to_the_model(
    server: LightconeTestServer, client: Lightcone
) -> None:
    server.enqueue(
        Reply(
            tool_calls=[
                ToolCall("launch_rocket", {"target": "moon"}, id="call-1"),
                ToolCall("get_weather", {"town": "Paris"}, id="call-2"),
                ToolCall("get_weather", '{"city": "Par', id="call-3"),
            ]
        ),
        Reply(content="Sorry."),
    )

    result = run_tools(client, messages=QUESTION, tools=TOOLS)

    unknown, missing, broken = result.turns[0].results
    assert isinstance(unknown.error, UnknownToolError)
    assert unknown.content == (
        "Error: UnknownToolError: there is no tool named 'launch_rocket'; the tools are: get_weather, check_alarms"
    )
    assert isinstance(missing.error, ToolArgumentsError)
    assert (
        missing.content == "Error: ToolArgumentsError: invalid arguments for tool 'get_weather': city: Field required"
    )
    assert isinstance(broken.error, ToolArgumentsError)
    assert broken.content.startswith("Error: ToolArgumentsError: invalid arguments for tool 'get_weather': ")
    assert "Invalid JSON" in broken.content
    tool_messages = server.requests[1].json["messages"][2:]
    assert [(m["tool_call_id"], m["content"]) for m in tool_messages] == [
        ("call-1", unknown.content),
        ("call-2", missing.content),
        ("call-3", broken.content),
    ]
    assert result.content == "Sorry."


def test_iter_tool_turns_yields_each_turn_before_the_next_model_call(
    server: LightconeTestServer, client: Lightcone
) -> None:
    _script_two_turns(server)

    turns = iter_tool_turns(client, messages=QUESTION, tools=TOOLS)
    first = next(turns)
    assert len(server.requests) == 1
    assert [result.name for result in first.results] == ["get_weather", "check_alarms"]
    assert [message["role"] for message in first.messages] == ["assistant", "tool", "tool"]
    assert not first.is_final

    last = next(turns)
    assert last.is_final and last.stopped_reason == "answered"
    assert last.message is not None and last.message.content == ANSWER
    assert list(turns) == []


@pytest.mark.anyio
async def test_aiter_tool_turns(server: LightconeTestServer, async_client: AsyncLightcone) -> None:
    _script_two_turns(server)

    turns = [turn async for turn in aiter_tool_turns(async_client, messages=QUESTION, tools=TOOLS)]

    assert [turn.stopped_reason for turn in turns] == [None, "answered"]
    assert turns[1].message is not None and turns[1].message.content == ANSWER


@pytest.mark.anyio
async def test_the_async_runner_runs_the_calls_of_a_turn_concurrently(
    server: LightconeTestServer, async_client: AsyncLightcone
) -> None:
    # Each tool waits for the other to have started: run one after the other, the first would
    # time out and its error would go back to the model instead of "met".
    started = {"left": anyio.Event(), "right": anyio.Event()}

    async def rendezvous(side: str) -> str:
        started[side].set()
        other = "right" if side == "left" else "left"
        with anyio.fail_after(5):
            await started[other].wait()
        return f"{side} met {other}"

    server.enqueue(
        Reply(
            tool_calls=[
                ToolCall("rendezvous", {"side": "left"}, id="call-left"),
                ToolCall("rendezvous", {"side": "right"}, id="call-right"),
            ]
        ),
        Reply(content="Both met."),
    )

    result = await arun_tools(async_client, messages=QUESTION, tools=[function_tool(rendezvous)])

    assert [(r.tool_call_id, r.content) for r in result.turns[0].results] == [
        ("call-left", "left met right"),
        ("call-right", "right met left"),
    ]
    assert result.content == "Both met."


def test_the_sync_runner_refuses_async_tools_before_calling_the_model(
    server: LightconeTestServer, client: Lightcone
) -> None:
    async def fetch(url: str) -> str:
        return url

    with pytest.raises(TypeError, match="arun_tools"):
        run_tools(client, messages=QUESTION, tools=[function_tool(fetch)])
    assert server.requests == []


def test_bad_runner_arguments_fail_before_any_request(server: LightconeTestServer, client: Lightcone) -> None:
    with pytest.raises(ValueError, match="max_turns"):
        run_tools(client, messages=QUESTION, tools=TOOLS, max_turns=0)
    with pytest.raises(ValueError, match="two tools are named 'get_weather'"):
        run_tools(client, messages=QUESTION, tools=[TOOLS[0], function_tool(get_weather)])
    with pytest.raises(ValueError, match="on_chunk needs stream=True"):
        run_tools(client, messages=QUESTION, tools=TOOLS, on_chunk=print)
    assert server.requests == []


def test_results_that_are_not_strings_are_sent_as_json(server: LightconeTestServer, client: Lightcone) -> None:
    def nothing() -> None:
        return None

    def numbers() -> List[float]:
        return [1, 2.5]

    def text() -> str:
        return '{"already": "text"}'

    server.enqueue(
        Reply(tool_calls=[ToolCall("nothing"), ToolCall("numbers"), ToolCall("text")]),
        Reply(content="ok"),
    )

    result = run_tools(
        client, messages=QUESTION, tools=[function_tool(nothing), function_tool(numbers), function_tool(text)]
    )

    assert [r.content for r in result.turns[0].results] == ["null", "[1,2.5]", '{"already": "text"}']


def test_api_errors_are_raised(server: LightconeTestServer, client: Lightcone) -> None:
    from tzafon import NotFoundError
    from tzafon.testing import Fail

    server.enqueue(Reply(tool_calls=[ToolCall("get_weather", {"city": "Oslo"})]), Fail(404, message="no model"))

    with pytest.raises(NotFoundError):
        run_tools(client, messages=QUESTION, tools=TOOLS)
