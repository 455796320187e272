"""Typical user code calling `create_completion`, checked by mypy --strict and pyright: the type follows `stream`."""

# Each deliberate error carries only `# type: ignore[<mypy code>]`: pyright honours that comment too (so a
# `# pyright: ignore` beside it is always reported as unnecessary), and with mypy's warn_unused_ignores and the
# setting below, a call that stops being an error fails both checkers.
# pyright: reportUnnecessaryTypeIgnoreComment=error

from __future__ import annotations

from typing import List, Union
from typing_extensions import assert_type

from tzafon import Stream, Lightcone, AsyncStream, AsyncLightcone
from tzafon.types import ChatCompletionMessageParam
from tzafon.types.chat_completion import ChatCompletion
from tzafon.types.chat_completion_chunk import ChatCompletionChunk


def sync_user(client: Lightcone, flag: bool) -> None:
    messages: List[ChatCompletionMessageParam] = [{"role": "user", "content": "Hi"}]

    completion = client.chat.create_completion(messages=messages)
    assert_type(completion, ChatCompletion)
    assert_type(client.chat.create_completion(messages=messages, stream=False), ChatCompletion)
    assert_type(client.chat.create_completion(messages=messages, stream=None), ChatCompletion)

    stream = client.chat.create_completion(messages=[{"role": "user", "content": "Hi"}], stream=True, temperature=0.2)
    assert_type(stream, Stream[ChatCompletionChunk])
    for chunk in stream:
        assert_type(chunk, ChatCompletionChunk)

    either = client.chat.create_completion(messages=messages, stream=flag)
    assert_type(either, Union[ChatCompletion, Stream[ChatCompletionChunk]])

    raw = client.chat.with_raw_response.create_completion(messages=messages)
    assert_type(raw.parse(), ChatCompletion)
    with client.chat.with_streaming_response.create_completion(messages=messages, stream=True) as response:
        assert_type(response.parse(), Stream[ChatCompletionChunk])

    client.chat.create_completion(messages=messages, temprature=0.2)  # type: ignore[call-overload]
    client.chat.create_completion(messages=messages, stream="yes")  # type: ignore[call-overload]
    client.chat.create_completion(stream=True)  # type: ignore[call-overload]


async def async_user(client: AsyncLightcone, flag: bool) -> None:
    messages: List[ChatCompletionMessageParam] = [{"role": "system", "content": "Be brief."}]

    assert_type(await client.chat.create_completion(messages=messages), ChatCompletion)
    assert_type(await client.chat.create_completion(messages=messages, stream=False), ChatCompletion)

    stream = await client.chat.create_completion(messages=messages, stream=True)
    assert_type(stream, AsyncStream[ChatCompletionChunk])
    async for chunk in stream:
        assert_type(chunk, ChatCompletionChunk)

    either = await client.chat.create_completion(messages=messages, stream=flag)
    assert_type(either, Union[ChatCompletion, AsyncStream[ChatCompletionChunk]])

    raw = await client.chat.with_raw_response.create_completion(messages=messages, stream=True)
    assert_type(await raw.parse(), AsyncStream[ChatCompletionChunk])

    await client.chat.create_completion(messages=messages, max_new_tokens=5)  # type: ignore[call-overload]
