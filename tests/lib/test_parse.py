"""Structured outputs: request building, parsing into pydantic/dataclass/TypedDict, typed errors, partial JSON."""

from __future__ import annotations

import json
import pickle
import dataclasses
from typing import Any, Dict, List, Type, Optional, AsyncIterator
from typing_extensions import TypedDict

import httpx
import pytest
import pydantic

from tzafon import LightconeError
from tzafon.lib import (
    ParseError,
    RefusalError,
    InvalidJSONError,
    SchemaValidationError,
    LengthFinishReasonError,
    ContentFilterFinishReasonError,
    regex,
    choice,
    grammar,
    json_schema_of,
    parse_completion,
    iter_partial_json,
    aiter_partial_json,
    parse_partial_json,
    build_parse_request,
    check_structured_outputs,
    reject_type_response_format,
)
from tests.utils import Recorder, make_client
from tzafon.types.chat_completion import ChatCompletion
from tzafon.types.chat_completion_chunk import ChatCompletionChunk
from tzafon.types.parsed_chat_completion import ParsedChoice, ParsedChatCompletion, ParsedChatCompletionMessage
from tzafon.types.chat_completion_message_param import ChatCompletionMessageParam


class Address(pydantic.BaseModel):
    city: str
    zip_code: Optional[str] = None


class Person(pydantic.BaseModel):
    """A person."""

    name: str
    age: int
    address: Address
    tags: Dict[str, int] = {}


@dataclasses.dataclass
class Point:
    x: float
    y: float


class Movie(TypedDict):
    title: str
    year: int


MESSAGES: List[ChatCompletionMessageParam] = [{"role": "user", "content": "Hi"}]
LOCAL = "http://127.0.0.1:8000/v1"  # a mock transport answers; a local URL keeps the plain-http warning away
PERSON_JSON = '{"name": "Ada", "age": 36, "address": {"city": "London"}}'


def completion(
    *contents: Optional[str],
    finish_reason: str = "stop",
    usage: bool = True,
    **message: Any,
) -> ChatCompletion:
    body: Dict[str, Any] = {
        "id": "chatcmpl-parse",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": index,
                "message": {"role": "assistant", "content": content, **message},
                "finish_reason": finish_reason,
                "stop_reason": None,
            }
            for index, content in enumerate(contents)
        ],
        "system_fingerprint": "vllm-0.33.0",
        "kv_transfer_params": {"remote": "x"},
    }
    if usage:
        body["usage"] = {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}
    return ChatCompletion.model_validate(body)


# --- the request ---------------------------------------------------------------------------------------


def test_a_model_is_sent_as_a_json_schema_response_format_by_default() -> None:
    request = build_parse_request(Person)
    assert request == {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "Person", "schema": Person.model_json_schema(), "strict": True},
        }
    }


def test_structured_outputs_mode_sends_the_schema_as_vllm_json_constraint() -> None:
    assert build_parse_request(Movie, use_structured_outputs=True) == {
        "structured_outputs": {"json": pydantic.TypeAdapter(Movie).json_schema()}
    }


def test_the_schema_is_not_rewritten_for_openai_strict_mode_unless_asked() -> None:
    schema = json_schema_of(Person)
    assert "additionalProperties" not in schema
    assert schema["required"] == ["name", "age", "address"]


def test_strict_schema_closes_objects_and_requires_every_property() -> None:
    schema: Any = json_schema_of(Person, strict_schema=True)
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["name", "age", "address", "tags"]
    nested = schema["$defs"]["Address"]
    assert nested["additionalProperties"] is False
    assert nested["required"] == ["city", "zip_code"]
    # A dict field is a map: its values' schema stays, it is not closed.
    assert schema["properties"]["tags"]["additionalProperties"] == {"type": "integer"}
    # The strict rewrite works on a copy: the default schema is unchanged afterwards.
    assert "additionalProperties" not in json_schema_of(Person)


def test_a_property_named_like_a_keyword_is_not_mistaken_for_a_schema() -> None:
    class Odd(pydantic.BaseModel):
        properties: List[str]
        type: str

    schema: Any = json_schema_of(Odd, strict_schema=True)
    assert schema["required"] == ["properties", "type"]
    assert set(schema["properties"]) == {"properties", "type"}


def test_the_request_goes_on_the_wire_as_built() -> None:
    recorder = Recorder()
    client = make_client(recorder, base_url=LOCAL)
    client.chat.create_completion(messages=MESSAGES, **build_parse_request(Point))
    client.chat.create_completion(messages=MESSAGES, **build_parse_request(Point, use_structured_outputs=True))
    assert recorder.body(0)["response_format"]["json_schema"]["name"] == "Point"
    assert recorder.body(1)["structured_outputs"]["json"]["required"] == ["x", "y"]


def test_a_class_passed_where_a_response_format_dict_belongs_gets_a_helpful_error() -> None:
    with pytest.raises(TypeError, match=r"client\.chat\.parse\(.*response_format=Person"):
        reject_type_response_format(Person)
    reject_type_response_format({"type": "json_object"})


# --- constraint helpers -------------------------------------------------------------------------------


def test_constraint_helpers_build_one_constraint_each() -> None:
    assert regex(r"\d+") == {"regex": r"\d+"}
    assert choice(("yes", "no")) == {"choice": ["yes", "no"]}
    assert grammar('root ::= "a"') == {"grammar": 'root ::= "a"'}
    for params in (regex("a"), choice(["a"]), grammar("root ::= x")):
        assert check_structured_outputs(params) is params


def test_constraint_helpers_reject_what_the_server_would() -> None:
    with pytest.raises(TypeError, match="not one string"):
        choice("yes")
    with pytest.raises(ValueError, match="at least one"):
        choice([])
    with pytest.raises(TypeError, match="strings"):
        choice(["a", 1])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        regex("")


def test_structured_outputs_must_set_exactly_one_constraint() -> None:
    with pytest.raises(ValueError, match=r"2 constraints, \['json', 'regex'\]"):
        check_structured_outputs({"json": {}, "regex": "a", "disable_any_whitespace": True})
    with pytest.raises(ValueError, match=r"no constraint \(keys: \['disable_any_whitespace'\]\)"):
        check_structured_outputs({"disable_any_whitespace": True})
    assert check_structured_outputs({"json_object": True, "regex": None, "choice": None})


# --- parsing ------------------------------------------------------------------------------------------


def test_parse_into_a_pydantic_model() -> None:
    raw = completion(PERSON_JSON)
    raw._request_id = "req-1"

    parsed = parse_completion(raw, Person)

    person = parsed.choices[0].message.parsed
    assert person == Person(name="Ada", age=36, address=Address(city="London"))
    assert isinstance(parsed, ChatCompletion)
    # Everything else is the completion as it came, unknown fields and request id included.
    assert parsed.choices[0].message.content == PERSON_JSON
    assert parsed.usage == raw.usage
    assert parsed.kv_transfer_params == {"remote": "x"}
    assert parsed._request_id == "req-1"
    # to_dict() leaves out what was not sent, inside `parsed` too.
    as_dict: Any = parsed.to_dict()
    assert as_dict["choices"][0]["message"]["parsed"] == json.loads(PERSON_JSON)
    assert {key: value for key, value in parsed.to_dict().items() if key != "choices"} == {
        key: value for key, value in raw.to_dict().items() if key != "choices"
    }


def test_parse_into_a_dataclass_and_a_typeddict() -> None:
    point = parse_completion(completion('{"x": 1, "y": 2.5}'), Point).choices[0].message.parsed
    assert point == Point(x=1.0, y=2.5)
    movie = parse_completion(completion('{"title": "Heat", "year": 1995}'), Movie).choices[0].message.parsed
    assert movie == {"title": "Heat", "year": 1995}


def test_every_choice_is_parsed() -> None:
    parsed = parse_completion(completion('{"x": 1, "y": 2}', ' {"x": 3, "y": 4} '), Point)
    assert [c.message.parsed for c in parsed.choices] == [Point(x=1, y=2), Point(x=3, y=4)]


def test_a_choice_that_called_a_tool_has_no_parsed_value() -> None:
    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    parsed = parse_completion(completion(None, finish_reason="tool_calls", tool_calls=[call]), Point)
    assert parsed.choices[0].message.parsed is None
    assert parsed.choices[0].message.tool_calls is not None


def test_parsing_builds_no_class_per_call_and_the_result_pickles() -> None:
    parsed = parse_completion(completion(PERSON_JSON), Person)
    # Subscripting a pydantic generic at runtime makes a new class (and validators) each time: never done.
    assert type(parsed) is ParsedChatCompletion
    assert type(parsed.choices[0]) is ParsedChoice
    assert type(parsed.choices[0].message) is ParsedChatCompletionMessage

    again = pickle.loads(pickle.dumps(parsed))
    assert again.choices[0].message.parsed == parsed.choices[0].message.parsed
    assert again.to_dict() == parsed.to_dict()


def error_cases() -> List[Any]:
    return [
        pytest.param(completion('{"name": "Ada", "ag', finish_reason="length"), LengthFinishReasonError, id="length"),
        pytest.param(completion(None, finish_reason="content_filter"), ContentFilterFinishReasonError, id="filter"),
        pytest.param(completion(None, refusal="I can't help with that."), RefusalError, id="refusal"),
        pytest.param(completion("Sure! Here is the JSON:"), InvalidJSONError, id="not-json"),
        pytest.param(completion('{"name": "Ada"}'), SchemaValidationError, id="schema"),
    ]


@pytest.mark.parametrize(("raw", "error_type"), error_cases())
def test_each_failure_has_its_own_error_carrying_the_completion(
    raw: ChatCompletion, error_type: Type[ParseError]
) -> None:
    with pytest.raises(error_type) as caught:
        parse_completion(raw, Person)
    error = caught.value
    assert isinstance(error, ParseError) and isinstance(error, LightconeError)
    assert error.completion is raw
    assert error.content == raw.choices[0].message.content
    assert error.usage is not None and error.usage.total_tokens == 30
    assert error.choice_index == 0
    again = pickle.loads(pickle.dumps(error))  # errors cross process boundaries (multiprocessing pools)
    assert type(again) is error_type and str(again) == str(error) and again.content == error.content


def test_error_details() -> None:
    with pytest.raises(LengthFinishReasonError, match="after 20 completion tokens.*max_completion_tokens"):
        parse_completion(completion('{"na', finish_reason="length"), Person)
    with pytest.raises(RefusalError) as refused:
        parse_completion(completion(None, refusal="No."), Person)
    assert refused.value.refusal == "No."
    with pytest.raises(InvalidJSONError) as bad_json:
        parse_completion(completion('{"x": 1,'), Point)
    assert isinstance(bad_json.value.json_error, json.JSONDecodeError)
    with pytest.raises(SchemaValidationError) as mismatch:
        parse_completion(completion('{"x": "left", "y": 1}'), Point)
    assert mismatch.value.validation_error.errors()[0]["loc"] == ("x",)
    assert "does not fit Point" in str(mismatch.value)


def test_the_second_choice_failing_is_reported_with_its_index() -> None:
    with pytest.raises(SchemaValidationError, match="choice 1") as caught:
        parse_completion(completion('{"x": 1, "y": 2}', '{"x": 1}'), Point)
    assert caught.value.choice_index == 1
    assert caught.value.content == '{"x": 1}'


def test_json_that_landed_in_reasoning_is_pointed_out() -> None:
    # vLLM #15618: with a reasoning parser, the constrained output can end up in `reasoning`.
    raw = completion(None, reasoning='{"x": 1, "y": 2}')
    with pytest.raises(InvalidJSONError, match=r"in `reasoning` instead.*15618") as caught:
        parse_completion(raw, Point)
    assert caught.value.content is None
    assert caught.value.json_error is None


def test_parse_end_to_end_through_the_client() -> None:
    body = completion('{"x": 0.5, "y": -1}').to_dict()
    recorder = Recorder()
    recorder.replies.append(httpx.Response(200, json=body))
    client = make_client(recorder, base_url=LOCAL)
    raw = client.chat.create_completion(messages=MESSAGES, **build_parse_request(Point))
    assert parse_completion(raw, Point).choices[0].message.parsed == Point(x=0.5, y=-1)


# --- partial JSON ---------------------------------------------------------------------------------------

JSON_TEXTS = [
    PERSON_JSON,
    json.dumps({"title": "Ünïcode ☃ 😀", "quote": 'say "hi"\\', "list": [1, -2.5e-3, True, False, None, [], {}]}),
    json.dumps({"escapes": "tab\t newline\n slash/ \\u00e9 \u00e9 \ud83d\ude00"}, ensure_ascii=True),
    '  [ {"a" : 1 } , "two" , 3.0E+2 , null ]  ',
    '"just a string"',
    "-12.75",
    "true",
]


@pytest.mark.parametrize("text", JSON_TEXTS)
def test_every_prefix_parses_without_raising_and_the_whole_text_gives_the_value(text: str) -> None:
    values = [parse_partial_json(text[:end]) for end in range(len(text) + 1)]
    assert values[0] is None
    assert values[-1] == json.loads(text)


def test_partial_values_close_what_is_open() -> None:
    assert parse_partial_json('{"name": "Ad') == {"name": "Ad"}
    assert parse_partial_json('{"name": "Ada", "ag') == {"name": "Ada"}
    assert parse_partial_json('{"name": "Ada", "age":') == {"name": "Ada"}
    assert parse_partial_json('{"tags": [1, 2, ') == {"tags": [1, 2]}
    assert parse_partial_json('{"ok": tr') == {"ok": True}
    assert parse_partial_json('{"s": "a\\') == {"s": "a"}
    assert parse_partial_json('{"s": "\\u00') == {"s": ""}
    assert parse_partial_json('{"s": "\\\\u00') == {"s": "\\u00"}  # an escaped backslash, then plain text
    assert parse_partial_json('{"n": -') == {}


def test_text_that_stops_being_json_is_read_up_to_the_break() -> None:
    assert parse_partial_json('{"a": 1} trailing') == {"a": 1}
    assert parse_partial_json('{"a": 1, oops: 2}') == {"a": 1}
    assert parse_partial_json("not json") is None


def stream_of(text: str, size: int) -> List[ChatCompletionChunk]:
    base: Dict[str, Any] = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    chunks = [ChatCompletionChunk.model_validate({**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]})]
    for start in range(0, len(text), size):
        piece = text[start : start + size]
        chunks.append(
            ChatCompletionChunk.model_validate({**base, "choices": [{"index": 0, "delta": {"content": piece}}]})
        )
    chunks.append(
        ChatCompletionChunk.model_validate({**base, "choices": [], "usage": {"prompt_tokens": 1, "total_tokens": 2}})
    )
    return chunks


def test_iter_partial_json_yields_growing_values_ending_with_the_whole() -> None:
    values = list(iter_partial_json(stream_of(PERSON_JSON, 3)))
    assert values[-1] == json.loads(PERSON_JSON)
    assert {"name": "Ada"} in values
    assert all(before != after for before, after in zip(values, values[1:]))
    assert len(values) > 5


@pytest.mark.anyio
async def test_aiter_partial_json_reads_an_async_stream() -> None:
    async def source() -> AsyncIterator[ChatCompletionChunk]:
        for chunk in stream_of('{"x": 1, "y": 2}', 4):
            yield chunk

    values = [value async for value in aiter_partial_json(source())]
    assert values[0] == {}
    assert values[-1] == {"x": 1, "y": 2}
