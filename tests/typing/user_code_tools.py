"""Typical user code with tools and the tool runner, checked by mypy --strict and pyright."""

# Each deliberate error carries only `# type: ignore[<mypy code>]`, which pyright honours too; with the
# setting below, a line that stops being an error fails both checkers.
# pyright: reportUnnecessaryTypeIgnoreComment=error

from __future__ import annotations

from typing import Any, Dict, List, Optional
from typing_extensions import Literal, Annotated, assert_type

from pydantic import Field, BaseModel

from tzafon import Lightcone, AsyncLightcone
from tzafon.lib import (
    Turn,
    FunctionTool,
    ToolRunResult,
    run_tools,
    arun_tools,
    function_tool,
    iter_tool_turns,
    aiter_tool_turns,
)
from tzafon.types import ChatCompletionMessageParam
from tzafon.types.chat_completion import ChatCompletion
from tzafon.types.chat_completion_chunk import ChatCompletionChunk


class Weather(BaseModel):
    city: str
    celsius: float


class SearchQuery(BaseModel):
    """Search the documentation."""

    query: str
    limit: int = 5


@function_tool
def get_weather(city: Annotated[str, Field(description="The city, e.g. Paris")]) -> Weather:
    """Current weather of a city."""
    return Weather(city=city, celsius=21.0)


@function_tool(name="lookup_user", strict=True)
def lookup(user_id: int) -> str:
    return f"user {user_id}"


async def fetch(url: str) -> bytes:
    return url.encode()


fetch_tool = function_tool(fetch, description="Download a page.")
search = function_tool(SearchQuery)

assert_type(get_weather, FunctionTool[Dict[str, Any], Weather])
assert_type(lookup, FunctionTool[Dict[str, Any], str])
assert_type(fetch_tool, FunctionTool[Dict[str, Any], bytes])
assert_type(search, FunctionTool[SearchQuery, SearchQuery])


def use_tools_directly() -> None:
    assert_type(get_weather.call('{"city": "Paris"}'), Weather)
    assert_type(get_weather.parse_arguments('{"city": "Paris"}'), Dict[str, Any])
    assert_type(search.parse_arguments({"query": "streaming"}), SearchQuery)
    assert_type(search.call('{"query": "x"}').limit, int)
    assert_type(get_weather.name, str)
    get_weather.call(42)  # type: ignore[arg-type]


async def use_tools_async() -> None:
    assert_type(await fetch_tool.acall('{"url": "https://example.com"}'), bytes)
    assert_type(await get_weather.acall('{"city": "Oslo"}'), Weather)


def sync_user(client: Lightcone) -> None:
    messages: List[ChatCompletionMessageParam] = [{"role": "user", "content": "Weather in Paris?"}]

    # Typed code passes the definitions with to_param(); the runner takes the tools themselves.
    completion = client.chat.create_completion(messages=messages, tools=[get_weather.to_param(), search.to_param()])
    assert_type(completion, ChatCompletion)
    client.chat.create_completion(messages=messages, tools=[get_weather])  # type: ignore[list-item]

    seen: List[Turn] = []
    chunks: List[ChatCompletionChunk] = []
    result = run_tools(
        client,
        messages=messages,
        tools=[get_weather, lookup, search],
        max_turns=5,
        stream=True,
        on_turn=seen.append,
        on_chunk=chunks.append,
        model="my-model",
        temperature=0.2,
    )
    assert_type(result, ToolRunResult)
    assert_type(result.completion, ChatCompletion)
    assert_type(result.content, Optional[str])
    assert_type(result.stopped_reason, Literal["answered", "max_turns"])
    assert_type(result.messages, List[ChatCompletionMessageParam])
    for turn in result.turns:
        for call in turn.results:
            assert_type(call.content, str)
            assert_type(call.error, Optional[Exception])

    for turn in iter_tool_turns(client, messages=messages, tools=[get_weather]):
        assert_type(turn, Turn)
        assert_type(turn.stopped_reason, Optional[Literal["answered", "max_turns"]])

    run_tools(client, messages=messages, tools=[get_weather.to_param()])  # type: ignore[list-item]


async def async_user(client: AsyncLightcone) -> None:
    messages: List[ChatCompletionMessageParam] = [{"role": "user", "content": "Fetch the docs"}]

    async def on_turn(turn: Turn) -> None:
        print(turn.index)

    result = await arun_tools(client, messages=messages, tools=[fetch_tool, get_weather], on_turn=on_turn)
    assert_type(result, ToolRunResult)

    async for turn in aiter_tool_turns(client, messages=messages, tools=[fetch_tool], tool_choice="auto"):
        assert_type(turn, Turn)
