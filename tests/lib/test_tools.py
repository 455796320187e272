"""`function_tool`: the schemas it builds from functions and models, strict mode, validation and calls."""

from __future__ import annotations

import json
import threading
from typing import Any, Dict, List, Optional
from typing_extensions import Literal, Annotated

import pytest
from pydantic import Field, BaseModel

from tzafon import Lightcone
from tzafon.testing import LightconeTestServer
from tzafon.lib._tools import FunctionTool, ToolArgumentsError, function_tool


class Location(BaseModel):
    """A place on Earth."""

    city: str
    country: Optional[str] = None


def get_forecast(
    location: Location,
    days: Annotated[int, Field(ge=1, le=14, description="How many days ahead, 1 to 14.")] = 3,
    unit: Literal["C", "F"] = "C",
    tags: Optional[List[str]] = None,
) -> Dict[str, Any]:
    """Get the weather forecast
    for a place.

    Uses the national weather service.

    Args:
        location: Where to look. Give the
            city as it is spelled locally.
        days: This text loses to the Annotated description.
        unit (str): Celsius or Fahrenheit.

    Returns:
        The forecast.
    """
    return {"city": location.city, "days": days, "unit": unit, "tags": tags}


class SearchWeb(BaseModel):
    """Search the web for pages about a topic."""

    query: str = Field(description="What to search for.")
    max_results: int = 5


def test_function_schema_comes_from_signature_and_docstring() -> None:
    tool = function_tool(get_forecast)

    assert tool.name == "get_forecast"
    assert tool.description == "Get the weather forecast for a place."
    params = tool.parameters
    assert params["type"] == "object"
    assert params["required"] == ["location"]
    props = params["properties"]
    assert isinstance(props, dict)
    assert list(props) == ["location", "days", "unit", "tags"]
    assert props["location"]["description"] == "Where to look. Give the city as it is spelled locally."
    assert props["days"] == {
        "default": 3,
        "description": "How many days ahead, 1 to 14.",
        "maximum": 14,
        "minimum": 1,
        "type": "integer",
    }
    assert props["unit"]["enum"] == ["C", "F"]
    assert props["unit"]["description"] == "Celsius or Fahrenheit."
    assert "description" not in props["tags"]
    # Nested models are described once, under $defs, with their own docstring.
    location_schema = params["$defs"]["Location"]  # type: ignore[index]
    assert location_schema["description"] == "A place on Earth."
    assert location_schema["required"] == ["city"]
    # Property titles derived from the names are noise for the model: none are sent.
    assert "title" not in params
    assert all("title" not in prop for prop in props.values())


def test_the_tool_reads_as_the_api_dict() -> None:
    tool = function_tool(get_forecast)

    assert tool["type"] == "function"
    assert dict(tool) == dict(tool.to_param())
    assert tool.to_param() == {
        "type": "function",
        "function": {"name": "get_forecast", "description": tool.description, "parameters": tool.parameters},
    }
    copy = tool.to_param()
    copy["function"]["name"] = "changed"
    assert tool.to_param()["function"]["name"] == "get_forecast"


def test_name_and_description_can_be_overridden_and_the_decorator_forms_work() -> None:
    @function_tool
    def ping() -> str:
        return "pong"

    @function_tool(name="lookup_user", description="Find a user by id.")
    def find(user_id: int) -> str:
        """Ignored docstring."""
        return f"user {user_id}"

    assert isinstance(ping, FunctionTool)
    assert ping.name == "ping"
    assert ping.description is None
    assert "description" not in ping.to_param()["function"]
    assert ping.parameters == {"properties": {}, "type": "object"}
    assert ping.call("") == "pong"
    assert find.name == "lookup_user"
    assert find.description == "Find a user by id."
    assert find.call('{"user_id": "7"}') == "user 7"


def test_model_tool_schema_and_parsing() -> None:
    tool = function_tool(SearchWeb)

    assert tool.name == "SearchWeb"
    assert tool.description == "Search the web for pages about a topic."
    assert tool.parameters == {
        "properties": {
            "query": {"description": "What to search for.", "type": "string"},
            "max_results": {"default": 5, "type": "integer"},
        },
        "required": ["query"],
        "type": "object",
    }
    parsed = tool.parse_arguments('{"query": "vllm tool parsers"}')
    assert parsed == SearchWeb(query="vllm tool parsers", max_results=5)
    assert tool.call('{"query": "x", "max_results": 2}') == SearchWeb(query="x", max_results=2)
    assert function_tool(SearchWeb, name="search").name == "search"


def test_strict_mode_requires_everything_and_forbids_extras_at_every_level() -> None:
    tool = function_tool(get_forecast, strict=True)
    params = tool.parameters

    assert params["additionalProperties"] is False
    assert params["required"] == ["location", "days", "unit", "tags"]
    location_schema = params["$defs"]["Location"]  # type: ignore[index]
    assert location_schema["additionalProperties"] is False
    assert location_schema["required"] == ["city", "country"]

    with pytest.raises(ToolArgumentsError) as excinfo:
        tool.parse_arguments('{"location": {"city": "Oslo"}, "colour": "blue"}')
    assert "colour: Extra inputs are not permitted" in str(excinfo.value)

    lenient = function_tool(get_forecast)
    assert "additionalProperties" not in lenient.parameters
    assert lenient.parse_arguments('{"location": {"city": "Oslo"}, "colour": "blue"}')["location"] == Location(
        city="Oslo"
    )

    model_params = function_tool(SearchWeb, strict=True).parameters
    assert model_params["required"] == ["query", "max_results"]
    assert model_params["additionalProperties"] is False


def test_parse_arguments_validates_and_fills_defaults() -> None:
    tool = function_tool(get_forecast)

    assert tool.parse_arguments('{"location": {"city": "Lyon"}, "days": "5"}') == {
        "location": Location(city="Lyon"),
        "days": 5,
        "unit": "C",
        "tags": None,
    }
    assert tool.parse_arguments({"location": {"city": "Lyon"}})["days"] == 3


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ('{"location": {"city": "Lyon"}, "days": 40}', "days: Input should be less than or equal to 14 (got 40)"),
        ('{"days": 2}', "location: Field required"),
        ('{"location": {"city": "Lyon"}, "unit": "K"}', "unit: Input should be 'C' or 'F' (got 'K')"),
        ('{"location": {"city": "Lyon"', "Invalid JSON"),
        ("[1, 2]", "Input should be an object"),
    ],
)
def test_bad_arguments_raise_a_short_readable_error(arguments: str, expected: str) -> None:
    tool = function_tool(get_forecast)

    with pytest.raises(ToolArgumentsError) as excinfo:
        tool.call(arguments)

    message = str(excinfo.value)
    assert message.startswith("invalid arguments for tool 'get_forecast': ")
    assert expected in message
    assert "errors.pydantic.dev" not in message
    assert excinfo.value.tool_name == "get_forecast"
    assert excinfo.value.errors


def test_empty_arguments_mean_no_arguments() -> None:
    def now(timezone: str = "UTC") -> str:
        return f"noon in {timezone}"

    tool = function_tool(now)
    assert tool.call("") == "noon in UTC"
    assert tool.call("  ") == "noon in UTC"
    assert tool.call(None) == "noon in UTC"
    assert tool.call("{}") == "noon in UTC"


def test_any_parameter_name_and_kind_is_passed_correctly() -> None:
    def odd(json: str, model_config: int, /, _private: bool = False, *, schema: str = "s") -> str:
        return f"{json}|{model_config}|{_private}|{schema}"

    tool = function_tool(odd)

    assert list(tool.parameters["properties"]) == ["json", "model_config", "_private", "schema"]  # type: ignore[call-overload]
    assert tool.call('{"json": "j", "model_config": 2, "_private": true, "schema": "x"}') == "j|2|True|x"


def test_exceptions_from_the_function_propagate_unchanged() -> None:
    def divide(a: float, b: float) -> float:
        return a / b

    with pytest.raises(ZeroDivisionError):
        function_tool(divide).call('{"a": 1, "b": 0}')


def test_functions_that_cannot_be_tools_are_refused_at_once() -> None:
    def variadic(*names: str) -> str:
        return ",".join(names)

    with pytest.raises(TypeError, match=r"\*args or \*\*kwargs"):
        function_tool(variadic)
    with pytest.raises(ValueError, match="not a usable tool name"):
        function_tool(lambda x: x)
    assert function_tool(lambda x: x, name="identity").call('{"x": 1}') == 1
    with pytest.raises(TypeError, match="function or a pydantic model"):
        function_tool(42)  # type: ignore[call-overload]


def test_an_async_function_needs_acall() -> None:
    async def fetch(url: str) -> str:
        return url

    tool = function_tool(fetch)
    assert tool.is_async
    with pytest.raises(TypeError, match="acall"):
        tool.call('{"url": "u"}')


@pytest.mark.anyio
async def test_acall_awaits_async_functions_and_runs_sync_ones_in_a_worker_thread() -> None:
    async def fetch(url: str) -> str:
        return f"fetched {url}"

    def where(label: str) -> int:
        return threading.get_ident()

    assert await function_tool(fetch).acall('{"url": "u"}') == "fetched u"
    assert await function_tool(where).acall('{"label": "x"}') != threading.get_ident()
    assert await function_tool(SearchWeb).acall('{"query": "q"}') == SearchWeb(query="q")
    with pytest.raises(ToolArgumentsError):
        await function_tool(fetch).acall("{}")


def test_a_tool_passed_in_tools_sends_its_definition() -> None:
    tool = function_tool(get_forecast, strict=True)

    with LightconeTestServer() as server, Lightcone(api_key="k", base_url=server.base_url) as client:
        client.chat.create_completion(messages=[{"role": "user", "content": "Weather?"}], tools=[tool.to_param()])
        client.chat.create_completion(
            messages=[{"role": "user", "content": "Weather?"}],
            tools=[tool],  # type: ignore[list-item]  # untyped code may pass the tool itself
        )

    typed, untyped = (request.json["tools"] for request in server.requests)
    assert typed == untyped == [json.loads(json.dumps(tool.to_param()))]
