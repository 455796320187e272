"""`client.chat.parse`, `run_tools` and `iter_tool_turns` on the clients, over a real local server."""

from __future__ import annotations

import json
from typing import Iterator, Optional

import pytest
import pydantic

import tzafon
from tzafon.lib import InvalidJSONError, LengthFinishReasonError
from tzafon.testing import Reply, ToolCall, LightconeTestServer

MESSAGES = [{"role": "user", "content": "go"}]


class City(pydantic.BaseModel):
    name: str
    population_millions: float


@pytest.fixture(scope="module")
def server() -> Iterator[LightconeTestServer]:
    with LightconeTestServer() as running:
        yield running


@pytest.fixture(autouse=True)
def _reset(server: LightconeTestServer) -> None:
    server.reset()


def test_parse_sends_schema_and_returns_validated_object(server: LightconeTestServer) -> None:
    server.enqueue(Reply('{"name": "Tokyo", "population_millions": 37.4}'))
    client = tzafon.Lightcone(base_url=server.base_url, api_key="k")
    result = client.chat.parse(messages=MESSAGES, response_format=City, temperature=0.1)
    parsed: Optional[City] = result.choices[0].message.parsed
    assert parsed == City(name="Tokyo", population_millions=37.4)
    sent = server.last_request.json
    assert sent["temperature"] == 0.1
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["name"] == "City"
    assert set(sent["response_format"]["json_schema"]["schema"]["required"]) == {"name", "population_millions"}
    assert "structured_outputs" not in sent and "stream" not in sent


def test_parse_with_structured_outputs(server: LightconeTestServer) -> None:
    server.enqueue(Reply('{"name": "Lagos", "population_millions": 15.9}'))
    client = tzafon.Lightcone(base_url=server.base_url, api_key="k")
    result = client.chat.parse(messages=MESSAGES, response_format=City, use_structured_outputs=True)
    assert result.choices[0].message.parsed is not None
    sent = server.last_request.json
    assert "response_format" not in sent
    assert sent["structured_outputs"]["json"]["title"] == "City"


def test_parse_errors_carry_the_completion(server: LightconeTestServer) -> None:
    client = tzafon.Lightcone(base_url=server.base_url, api_key="k")
    server.enqueue(Reply("not json at all"))
    with pytest.raises(InvalidJSONError) as invalid:
        client.chat.parse(messages=MESSAGES, response_format=City)
    assert invalid.value.completion.choices[0].message.content == "not json at all"
    server.enqueue(Reply('{"name": "To', finish_reason="length"))
    with pytest.raises(LengthFinishReasonError):
        client.chat.parse(messages=MESSAGES, response_format=City)


@pytest.mark.anyio
async def test_async_parse(server: LightconeTestServer) -> None:
    server.enqueue(Reply('{"name": "Lima", "population_millions": 11.0}'))
    async with tzafon.AsyncLightcone(base_url=server.base_url, api_key="k") as client:
        result = await client.chat.parse(messages=MESSAGES, response_format=City)
    assert result.choices[0].message.parsed == City(name="Lima", population_millions=11.0)


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def test_run_tools_on_the_client(server: LightconeTestServer) -> None:
    server.enqueue(Reply(tool_calls=[ToolCall("add", {"a": 2, "b": 3})]), Reply("The sum is 5."))
    client = tzafon.Lightcone(base_url=server.base_url, api_key="k")
    result = client.chat.run_tools(messages=MESSAGES, tools=[tzafon.function_tool(add)], model="m")
    assert result.content == "The sum is 5."
    tool_message = server.last_request.json["messages"][-1]
    assert tool_message["role"] == "tool" and json.loads(tool_message["content"]) == 5
    assert server.last_request.json["model"] == "m"
    server.enqueue(Reply(tool_calls=[ToolCall("add", {"a": 1, "b": 1})]), Reply("2"))
    turns = list(client.chat.iter_tool_turns(messages=MESSAGES, tools=[tzafon.function_tool(add)]))
    assert len(turns) == 2 and turns[-1].is_final


@pytest.mark.anyio
async def test_async_run_tools_on_the_client(server: LightconeTestServer) -> None:
    server.enqueue(Reply(tool_calls=[ToolCall("add", {"a": 4, "b": 4})]), Reply("8"))
    async with tzafon.AsyncLightcone(base_url=server.base_url, api_key="k") as client:
        result = await client.chat.run_tools(messages=MESSAGES, tools=[tzafon.function_tool(add)])
        assert result.content == "8"
        server.enqueue(Reply(tool_calls=[ToolCall("add", {"a": 1, "b": 2})]), Reply("3"))
        turns = [
            turn async for turn in client.chat.iter_tool_turns(messages=MESSAGES, tools=[tzafon.function_tool(add)])
        ]
    assert len(turns) == 2
