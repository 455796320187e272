"""Typical user code for structured outputs and stream helpers, checked by mypy --strict and pyright."""

# pyright: reportUnnecessaryTypeIgnoreComment=error

from __future__ import annotations

import dataclasses
from typing import Any, List, Iterator, Optional
from typing_extensions import TypedDict, assert_type

import pydantic

from tzafon import Stream, Lightcone, AsyncStream, AsyncLightcone
from tzafon.lib import (
    ParseError,
    ParseRequest,
    SchemaValidationError,
    ChatCompletionAccumulator,
    regex,
    choice,
    iter_text,
    accumulate,
    aiter_text,
    aaccumulate,
    parse_completion,
    iter_partial_json,
    build_parse_request,
    completion_markdown,
)
from tzafon.types.chat_completion import ChatCompletion
from tzafon.types.completion_usage import CompletionUsage
from tzafon.types.chat_completion_chunk import ChatCompletionChunk
from tzafon.types.parsed_chat_completion import ParsedChatCompletion
from tzafon.types.structured_outputs_param import StructuredOutputsParam


class MyModel(pydantic.BaseModel):
    name: str


@dataclasses.dataclass
class MyDataclass:
    x: int


class MyTypedDict(TypedDict):
    title: str


def parse_user(completion: ChatCompletion) -> None:
    parsed = parse_completion(completion, MyModel)
    assert_type(parsed, ParsedChatCompletion[MyModel])
    assert_type(parsed.choices[0].message.parsed, Optional[MyModel])
    assert_type(parse_completion(completion, MyModel).choices[0].message.parsed, Optional[MyModel])
    assert_type(parse_completion(completion, MyDataclass).choices[0].message.parsed, Optional[MyDataclass])
    assert_type(parse_completion(completion, MyTypedDict).choices[0].message.parsed, Optional[MyTypedDict])
    # A parsed completion is still a completion.
    plain: ChatCompletion = parsed
    assert_type(plain.choices[0].message.content, Optional[str])
    parse_completion(completion, "MyModel")  # type: ignore[arg-type]


def error_user(completion: ChatCompletion) -> None:
    try:
        parse_completion(completion, MyModel)
    except SchemaValidationError as error:
        assert_type(error.validation_error, pydantic.ValidationError)
        assert_type(error.completion, ChatCompletion)
    except ParseError as error:
        assert_type(error.content, Optional[str])
        assert_type(error.usage, Optional[CompletionUsage])


def request_user(client: Lightcone, messages: List[Any]) -> None:
    assert_type(build_parse_request(MyModel), ParseRequest)
    # The request arguments unpack into create_completion, each key checked against its parameter.
    raw = client.chat.create_completion(messages=messages, **build_parse_request(MyModel))
    assert_type(parse_completion(raw, MyModel), ParsedChatCompletion[MyModel])
    client.chat.create_completion(messages=messages, **build_parse_request(MyDataclass, use_structured_outputs=True))
    constraint: StructuredOutputsParam = choice(["yes", "no"])
    client.chat.create_completion(messages=messages, structured_outputs=constraint)
    client.chat.create_completion(messages=messages, structured_outputs=regex(r"\d+"))


def stream_user(stream: Stream[ChatCompletionChunk]) -> None:
    accumulator = ChatCompletionAccumulator()
    for chunk in stream:
        assert_type(accumulator.add(chunk), ChatCompletionChunk)
    assert_type(accumulator.completion(), ChatCompletion)
    assert_type(accumulate(stream), ChatCompletion)
    assert_type(iter_text(stream), Iterator[str])
    assert_type(completion_markdown(accumulate(stream)), str)
    for partial in iter_partial_json(stream):
        print(partial["name"])


async def async_stream_user(stream: AsyncStream[ChatCompletionChunk]) -> None:
    assert_type(await aaccumulate(stream), ChatCompletion)
    async for text in aiter_text(stream):
        assert_type(text, str)


def chat_parse(client: Lightcone) -> None:
    result = client.chat.parse(messages=[{"role": "user", "content": "hi"}], response_format=MyModel)
    assert_type(result, ParsedChatCompletion[MyModel])
    assert_type(result.choices[0].message.parsed, Optional[MyModel])
    by_dataclass = client.chat.parse(
        messages=[{"role": "user", "content": "hi"}], response_format=MyDataclass, use_structured_outputs=True
    )
    assert_type(by_dataclass.choices[0].message.parsed, Optional[MyDataclass])


async def chat_parse_async(client: AsyncLightcone) -> None:
    result = await client.chat.parse(messages=[{"role": "user", "content": "hi"}], response_format=MyModel)
    assert_type(result.choices[0].message.parsed, Optional[MyModel])
