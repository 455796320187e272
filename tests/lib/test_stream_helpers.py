"""`stream.get_final_completion()` and `stream.text_stream`, sync and async, through the real client."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tzafon import Lightcone, AsyncLightcone
from tzafon.types import ChatCompletion

from .test_accumulator import PAIRS, normalise

MESSAGES = [{"role": "user", "content": "hi"}]


def _client(body: bytes) -> Lightcone:
    transport = httpx.MockTransport(lambda _request: httpx.Response(200, content=body))
    return Lightcone(api_key="k", base_url="http://test", http_client=httpx.Client(transport=transport))


def _async_client(body: bytes) -> AsyncLightcone:
    transport = httpx.MockTransport(lambda _request: httpx.Response(200, content=body))
    return AsyncLightcone(api_key="k", base_url="http://test", http_client=httpx.AsyncClient(transport=transport))


@pytest.mark.parametrize(("body_path", "stream_path"), PAIRS, ids=[body.stem for body, _ in PAIRS])
def test_get_final_completion_equals_the_non_streaming_response(body_path: Path, stream_path: Path) -> None:
    expected = ChatCompletion.model_validate_json(body_path.read_bytes())
    stream = _client(stream_path.read_bytes()).chat.create_completion(messages=MESSAGES, stream=True)
    final = stream.get_final_completion()
    had_usage = final.usage is not None
    assert normalise(final.to_dict(), stream_had_usage=had_usage) == normalise(
        expected.to_dict(), stream_had_usage=had_usage
    )
    assert stream.response.is_closed


@pytest.mark.anyio
@pytest.mark.parametrize(("body_path", "stream_path"), PAIRS, ids=[body.stem for body, _ in PAIRS])
async def test_async_get_final_completion_equals_the_non_streaming_response(body_path: Path, stream_path: Path) -> None:
    expected = ChatCompletion.model_validate_json(body_path.read_bytes())
    stream = await _async_client(stream_path.read_bytes()).chat.create_completion(messages=MESSAGES, stream=True)
    final = await stream.get_final_completion()
    had_usage = final.usage is not None
    assert normalise(final.to_dict(), stream_had_usage=had_usage) == normalise(
        expected.to_dict(), stream_had_usage=had_usage
    )


def test_text_stream_yields_only_content_and_still_counts_for_the_final_completion() -> None:
    body_path, stream_path = next(pair for pair in PAIRS if "reasoning" in pair[1].name)
    expected = ChatCompletion.model_validate_json(body_path.read_bytes())
    with _client(stream_path.read_bytes()).chat.create_completion(messages=MESSAGES, stream=True) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_completion()
    assert "".join(pieces) == expected.choices[0].message.content
    assert all(pieces)
    assert final.choices[0].message.content == expected.choices[0].message.content
    assert final.choices[0].message.reasoning == expected.choices[0].message.reasoning


@pytest.mark.anyio
async def test_async_text_stream() -> None:
    body_path, stream_path = next(pair for pair in PAIRS if "text" in pair[1].name)
    expected = ChatCompletion.model_validate_json(body_path.read_bytes())
    stream = await _async_client(stream_path.read_bytes()).chat.create_completion(messages=MESSAGES, stream=True)
    async with stream:
        pieces = [piece async for piece in stream.text_stream]
    assert "".join(pieces) == expected.choices[0].message.content
