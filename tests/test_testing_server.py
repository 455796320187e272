"""`tzafon.testing.LightconeTestServer` driven over real sockets with plain httpx."""

from __future__ import annotations

import sys
import json
import time
import socket
import subprocess
from typing import Any, Dict, List, Iterator

import anyio
import httpx
import pytest

from tzafon.testing import (
    Fail,
    Gzip,
    Html,
    Reply,
    Reset,
    Stall,
    Redirect,
    ToolCall,
    CutStream,
    LargeBody,
    RawStream,
    ErrorEvent,
    InvalidJSON,
    RawResponse,
    RecordedRequest,
    LightconeTestServer,
)

USER = [{"role": "user", "content": "hello big world"}]


@pytest.fixture
def server() -> Iterator[LightconeTestServer]:
    with LightconeTestServer() as running:
        yield running


@pytest.fixture
def client(server: LightconeTestServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=5) as http:
        yield http


def post(client: httpx.Client, **body: Any) -> httpx.Response:
    body.setdefault("messages", USER)
    return client.post("/chat/completions", json=body)


def sse_events(text: str) -> List[str]:
    """The `data:` payloads of a vLLM stream, checking its framing on the way."""
    assert text.endswith("\n\n"), text[-200:]
    blocks = text[:-2].split("\n\n")
    for block in blocks:
        assert block.startswith("data: ") and "\n" not in block, block
    return [block[len("data: ") :] for block in blocks]


def stream_chunks(text: str) -> List[Dict[str, Any]]:
    events = sse_events(text)
    assert events[-1] == "[DONE]"
    assert "[DONE]" not in events[:-1]
    return [json.loads(event) for event in events[:-1]]


def content_of(chunks: List[Dict[str, Any]], index: int = 0, key: str = "content") -> str:
    return "".join(
        choice["delta"].get(key) or "" for chunk in chunks for choice in chunk["choices"] if choice["index"] == index
    )


# -- default echo behaviour ------------------------------------------------------------------


def test_echo_reply_has_every_vllm_field(client: httpx.Client) -> None:
    response = post(client, model="anything")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == [
        "id",
        "object",
        "created",
        "model",
        "choices",
        "service_tier",
        "system_fingerprint",
        "usage",
        "prompt_logprobs",
        "prompt_token_ids",
        "prompt_text",
        "kv_transfer_params",
        "ec_transfer_params",
        "metrics",
    ]
    assert body["id"].startswith("chatcmpl-") and body["object"] == "chat.completion"
    assert body["model"] == "test-model"
    assert body["service_tier"] is None and body["prompt_token_ids"] is None
    (choice,) = body["choices"]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop" and choice["stop_reason"] is None
    assert choice["logprobs"] is None and choice["token_ids"] is None
    assert choice["message"] == {
        "role": "assistant",
        "content": "Echo: hello big world",
        "refusal": None,
        "annotations": None,
        "audio": None,
        "function_call": None,
        "reasoning": None,
    }
    usage = body["usage"]
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens_details"] is None


def test_v1_path_is_served_too(client: httpx.Client) -> None:
    response = client.post("/v1/chat/completions", json={"messages": USER})
    assert response.json()["choices"][0]["message"]["content"] == "Echo: hello big world"


def test_stream_is_framed_like_vllm(client: httpx.Client) -> None:
    response = post(client, stream=True, stream_options={"include_usage": True})

    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["transfer-encoding"] == "chunked"
    chunks = stream_chunks(response.text)
    assert len({chunk["id"] for chunk in chunks}) == 1
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    content_chunks = [chunk for chunk in chunks if chunk["choices"] and chunk["choices"][0]["delta"].get("content")]
    assert len(content_chunks) >= 3, "the reply is streamed in several pieces"
    assert content_of(chunks) == "Echo: hello big world"
    finishes = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert finishes == ["stop"]
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"]["total_tokens"] == (
        usage_chunk["usage"]["prompt_tokens"] + usage_chunk["usage"]["completion_tokens"]
    )


def test_stream_without_include_usage_has_no_usage_chunk(client: httpx.Client) -> None:
    chunks = stream_chunks(post(client, stream=True).text)
    assert all(chunk["choices"] for chunk in chunks)
    assert all("usage" not in chunk for chunk in chunks)


def test_n_choices_are_interleaved_with_one_role_and_one_finish_each(client: httpx.Client) -> None:
    chunks = stream_chunks(post(client, stream=True, n=2, temperature=0.7).text)

    assert all(len(chunk["choices"]) == 1 for chunk in chunks)
    indexes = [chunk["choices"][0]["index"] for chunk in chunks]
    assert indexes[:2] == [0, 1] and indexes[2:4] == [0, 1]
    for index in (0, 1):
        mine = [chunk["choices"][0] for chunk in chunks if chunk["choices"][0]["index"] == index]
        assert mine[0]["delta"]["role"] == "assistant"
        assert [choice["finish_reason"] for choice in mine if choice["finish_reason"]] == ["stop"]
        assert content_of(chunks, index) == "Echo: hello big world"

    body = post(client, n=2, temperature=0.7).json()
    assert [choice["index"] for choice in body["choices"]] == [0, 1]


def test_x_request_id_is_echoed_in_header_and_ids(client: httpx.Client) -> None:
    response = client.post("/chat/completions", json={"messages": USER}, headers={"X-Request-Id": "req-42"})
    assert response.headers["x-request-id"] == "req-42"
    assert response.json()["id"] == "chatcmpl-req-42"

    streamed = client.post(
        "/chat/completions", json={"messages": USER, "stream": True}, headers={"X-Request-Id": "req-43"}
    )
    assert {chunk["id"] for chunk in stream_chunks(streamed.text)} == {"chatcmpl-req-43"}


def test_return_token_ids_and_logprobs_are_consistent_with_usage(client: httpx.Client) -> None:
    body = post(client, return_token_ids=True, logprobs=True, top_logprobs=2).json()
    choice = body["choices"][0]
    assert len(body["prompt_token_ids"]) == body["usage"]["prompt_tokens"]
    assert len(choice["token_ids"]) == body["usage"]["completion_tokens"]
    entries = choice["logprobs"]["content"]
    assert len(entries) == len(choice["token_ids"])
    assert all(len(entry["top_logprobs"]) == 2 and entry["logprob"] <= 0 for entry in entries)

    chunks = stream_chunks(post(client, stream=True, return_token_ids=True).text)
    assert chunks[0]["prompt_token_ids"] == body["prompt_token_ids"]
    streamed_ids = [tid for chunk in chunks[1:] for tid in chunk["choices"][0]["token_ids"]]
    assert streamed_ids == choice["token_ids"]


def test_max_tokens_truncates_the_echo_with_finish_reason_length(client: httpx.Client) -> None:
    choice = post(client, max_tokens=2).json()["choices"][0]
    assert choice["message"]["content"] == "Echo: hello "
    assert choice["finish_reason"] == "length"


# -- request checks ---------------------------------------------------------------------------


def test_wrong_or_missing_api_key_gets_vllm_401(server: LightconeTestServer) -> None:
    server.api_key = "secret"
    with httpx.Client(base_url=server.base_url) as http:
        missing = http.post("/chat/completions", json={"messages": USER})
        wrong = http.post("/chat/completions", json={"messages": USER}, headers={"Authorization": "Bearer nope"})
        right = http.post("/chat/completions", json={"messages": USER}, headers={"Authorization": "Bearer secret"})
    assert (missing.status_code, missing.json()) == (401, {"error": "Unauthorized"})
    assert (wrong.status_code, wrong.json()) == (401, {"error": "Unauthorized"})
    assert right.status_code == 200


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "body.messages"),
        ({"messages": []}, None),
        ({"messages": USER, "stream_options": {"include_usage": True}}, "stream_options"),
        ({"messages": USER, "continue_final_message": True, "add_generation_prompt": True}, "continue_final_message"),
        ({"messages": USER, "top_logprobs": 3}, "top_logprobs"),
        ({"messages": USER, "stream": True, "prompt_logprobs": 1}, "prompt_logprobs"),
        ({"messages": USER, "tool_choice": "required"}, "tool_choice"),
        ({"messages": USER, "n": 2, "temperature": 0}, "n"),
        ({"messages": USER, "n": "two"}, "body.n"),
    ],
)
def test_invalid_requests_get_vllm_400(client: httpx.Client, body: Dict[str, Any], param: Any) -> None:
    response = client.post("/chat/completions", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["code"] == 400 and error["param"] == param and error["message"]
    assert error["type"] in ("BadRequestError", "Bad Request")


def test_non_json_body_and_content_type_get_400(client: httpx.Client) -> None:
    not_json = client.post("/chat/completions", content=b"{nope", headers={"content-type": "application/json"})
    wrong_type = client.post("/chat/completions", content=json.dumps({"messages": USER}).encode())
    assert not_json.status_code == wrong_type.status_code == 400
    assert not_json.json()["error"]["code"] == wrong_type.json()["error"]["code"] == 400


def test_invalid_requests_do_not_consume_the_script(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(Reply("scripted"))
    assert client.post("/chat/completions", json={"messages": []}).status_code == 400
    assert post(client).json()["choices"][0]["message"]["content"] == "scripted"


def test_unknown_path_and_wrong_method(client: httpx.Client) -> None:
    assert client.post("/v1/completions", json={}).status_code == 404
    wrong = client.get("/v1/chat/completions")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == 405


# -- scripted replies -------------------------------------------------------------------------


def test_scripted_replies_are_used_in_order_then_echo_again(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(Reply("first"), Reply("second", finish_reason="length"))
    contents = [post(client).json()["choices"][0] for _ in range(3)]
    assert [c["message"]["content"] for c in contents] == ["first", "second", "Echo: hello big world"]
    assert contents[1]["finish_reason"] == "length"
    assert server.pending == 0


def test_tool_calls_stream_in_fragments_and_rebuild(server: LightconeTestServer, client: httpx.Client) -> None:
    call = ToolCall("get_weather", {"city": "Paris", "unit": "celsius"}, id="call-1")
    server.enqueue(Reply(tool_calls=[call]), times=2)

    chunks = stream_chunks(post(client, stream=True).text)
    fragments = [tc for chunk in chunks for tc in chunk["choices"][0]["delta"].get("tool_calls", [])]
    assert fragments[0] == {"id": "call-1", "type": "function", "index": 0, "function": {"name": "get_weather"}}
    pieces = [fragment["function"]["arguments"] for fragment in fragments[1:]]
    assert len(pieces) > 1 and all(set(fragment) == {"index", "function"} for fragment in fragments[1:])
    assert json.loads("".join(pieces)) == {"city": "Paris", "unit": "celsius"}
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"][0]["finish_reason"]] == ["tool_calls"]

    message = post(client).json()["choices"][0]["message"]
    assert message["content"] is None
    assert message["tool_calls"] == [
        {
            "id": "call-1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Paris", "unit": "celsius"}'},
        }
    ]


def test_reasoning_is_streamed_before_content(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(Reply("The answer is 4.", reasoning="Two plus two is four."), times=2)
    chunks = stream_chunks(post(client, stream=True).text)
    assert content_of(chunks, key="reasoning") == "Two plus two is four."
    assert content_of(chunks) == "The answer is 4."
    first_content = next(i for i, c in enumerate(chunks) if c["choices"][0]["delta"].get("content"))
    last_reasoning = max(i for i, c in enumerate(chunks) if c["choices"][0]["delta"].get("reasoning"))
    assert last_reasoning < first_content
    assert post(client).json()["choices"][0]["message"]["reasoning"] == "Two plus two is four."


def test_old_servers_reasoning_content_name(server: LightconeTestServer, client: httpx.Client) -> None:
    server.reasoning_field = "reasoning_content"
    server.enqueue(Reply("ok", reasoning="hmm"), times=2)
    chunks = stream_chunks(post(client, stream=True).text)
    assert content_of(chunks, key="reasoning_content") == "hmm"
    assert not any("reasoning" in chunk["choices"][0]["delta"] for chunk in chunks)
    message = post(client).json()["choices"][0]["message"]
    assert message["reasoning_content"] == "hmm" and "reasoning" not in message


def test_scripted_usage_and_headers(server: LightconeTestServer, client: httpx.Client) -> None:
    usage = {"prompt_tokens": 1, "total_tokens": 3, "completion_tokens": 2}
    server.enqueue(Reply("hi", usage=usage, headers={"x-extra": "yes"}))
    response = post(client)
    assert response.json()["usage"] == usage and response.headers["x-extra"] == "yes"


def test_handler_sees_the_request_and_decides(server: LightconeTestServer, client: httpx.Client) -> None:
    seen: List[RecordedRequest] = []

    def handler(request: RecordedRequest) -> Any:
        seen.append(request)
        return Fail(503) if request.json.get("user") == "bob" else None

    server.set_default(handler)
    assert post(client, user="bob").status_code == 503
    assert post(client, user="alice").status_code == 200
    assert [request.json["user"] for request in seen] == ["bob", "alice"]


def test_handler_errors_become_500_and_are_kept(server: LightconeTestServer, client: httpx.Client) -> None:
    def broken(request: RecordedRequest) -> Any:
        raise RuntimeError("boom")

    server.enqueue(broken)
    response = post(client)
    assert response.status_code == 500 and "boom" in response.json()["error"]["message"]
    assert isinstance(server.errors[0], RuntimeError)


# -- scripted failures ------------------------------------------------------------------------


def test_fail_sends_vllm_error_body_and_retry_headers(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(Fail(429, retry_after=1), Fail(503, retry_after_ms=250, message="overloaded"))
    limited = post(client)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    assert limited.json() == {
        "error": {"message": "Too Many Requests", "type": "RateLimitError", "param": None, "code": 429}
    }
    busy = post(client, stream=True)
    assert busy.status_code == 503 and busy.headers["retry-after-ms"] == "250"
    assert busy.json()["error"]["message"] == "overloaded"


def test_three_failures_then_success_in_one_line(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(Fail(503), times=3).enqueue(Reply("finally"))
    statuses = [post(client).status_code for _ in range(4)]
    assert statuses == [503, 503, 503, 200]


def test_fail_with_custom_body_and_headers(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(Fail(401), Fail(400, body={"detail": "custom"}, headers={"x-should-retry": "false"}))
    assert post(client).json() == {"error": "Unauthorized"}
    custom = post(client)
    assert custom.json() == {"detail": "custom"} and custom.headers["x-should-retry"] == "false"


def test_error_event_in_stream_then_done(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(ErrorEvent(after_chunks=2, code=503, message="engine busy"), ErrorEvent(code=500))
    response = post(client, stream=True)
    assert response.status_code == 200
    events = sse_events(response.text)
    assert len(events) == 4 and events[-1] == "[DONE]"
    assert json.loads(events[2]) == {
        "error": {"message": "engine busy", "type": "ServiceUnavailableError", "param": None, "code": 503}
    }
    plain = post(client)
    assert plain.status_code == 500 and plain.json()["error"]["type"] == "InternalServerError"


def test_cut_stream_breaks_the_http_body(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(CutStream(after_chunks=2), CutStream())
    received: List[bytes] = []
    with pytest.raises(httpx.RemoteProtocolError):
        with client.stream("POST", "/chat/completions", json={"messages": USER, "stream": True}) as response:
            for part in response.iter_raw():
                received.append(part)
    assert b"data: " in b"".join(received) and b"[DONE]" not in b"".join(received)
    with pytest.raises(httpx.RemoteProtocolError):
        post(client)


def test_clean_cut_ends_http_body_without_done(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(CutStream(after_chunks=3, clean=True))
    response = post(client, stream=True)
    events = sse_events(response.text)
    assert len(events) == 3 and "[DONE]" not in events
    assert not any(json.loads(event)["choices"][0]["finish_reason"] for event in events)
    assert server.last_request.completed is False
    assert post(client).status_code == 200, "the connection stays usable"


def test_stall_before_headers_times_out_the_read(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(Stall(seconds=2), Stall(seconds=0.1))
    with pytest.raises(httpx.ReadTimeout):
        client.post("/chat/completions", json={"messages": USER}, timeout=0.2)
    assert post(client).status_code == 200, "a short stall only delays the answer"


def test_stall_mid_stream_times_out_between_chunks(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(Stall(after_chunks=2))
    received: List[str] = []
    with pytest.raises(httpx.ReadTimeout):
        request = {"messages": USER, "stream": True}
        with client.stream("POST", "/chat/completions", json=request, timeout=0.3) as response:
            assert response.status_code == 200
            for line in response.iter_lines():
                if line:
                    received.append(line)
    assert len(received) == 2


def test_stall_forever_ends_when_the_client_leaves(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(Stall())
    with pytest.raises(httpx.ReadTimeout):
        client.post("/chat/completions", json={"messages": USER}, timeout=0.2)
    assert post(client).status_code == 200
    assert [request.completed for request in server.requests] == [False, True]


def test_reset_before_status_and_mid_body(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(Reset(), Reset(when="mid_body", after_chunks=2))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        post(client)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        with client.stream("POST", "/chat/completions", json={"messages": USER, "stream": True}) as response:
            assert response.status_code == 200
            response.read()


def test_html_error_page(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(Html(), Html(status=504, text="<html>gateway timeout</html>"))
    default = post(client, stream=True)
    assert default.status_code == 502 and default.headers["content-type"] == "text/html"
    assert "502 Bad Gateway" in default.text
    assert post(client).text == "<html>gateway timeout</html>"


def test_invalid_json_bodies(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(InvalidJSON(), InvalidJSON(text="{oops", after_chunks=1))
    plain = post(client)
    assert plain.status_code == 200 and plain.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        plain.json()
    events = sse_events(post(client, stream=True).text)
    assert events[1:] == ["{oops", "[DONE]"]


def test_redirect(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(Redirect(), Redirect(location="/v1/chat/completions", status=308))
    first = post(client)
    assert first.status_code == 307 and first.headers["location"] == f"{server.base_url}/chat/completions"
    second = post(client)
    assert second.status_code == 308 and second.headers["location"] == "/v1/chat/completions"
    followed = client.post(
        "/chat/completions", json={"messages": USER}, follow_redirects=True, headers={"x-request-id": "r"}
    )
    assert followed.status_code == 200


def test_gzip_bodies_decode(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(Gzip(Reply("zipped")), Gzip())
    plain = post(client)
    assert plain.headers["content-encoding"] == "gzip"
    assert plain.json()["choices"][0]["message"]["content"] == "zipped"
    streamed = post(client, stream=True)
    assert streamed.headers["content-encoding"] == "gzip"
    assert content_of(stream_chunks(streamed.text)) == "Echo: hello big world"


def test_large_body(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(LargeBody(size=3_000_000), LargeBody(size=1_000_000, chunk_size=100_000))
    plain = post(client)
    assert len(plain.content) > 3_000_000
    assert len(plain.json()["choices"][0]["message"]["content"]) == 3_000_000
    chunks = stream_chunks(post(client, stream=True).text)
    assert len(content_of(chunks)) == 1_000_000


def test_raw_response_and_raw_stream(server: LightconeTestServer, client: httpx.Client) -> None:
    server.enqueue(
        RawResponse(status=418, body={"tea": True}, headers={"x-pot": "1"}),
        RawStream(parts=['data: {"a"', ":1}\r\n\r\n: comment\n\n", "data: [DONE]\n\n"]),
    )
    teapot = post(client)
    assert (teapot.status_code, teapot.json(), teapot.headers["x-pot"]) == (418, {"tea": True}, "1")
    assert post(client, stream=True).text == 'data: {"a":1}\r\n\r\n: comment\n\ndata: [DONE]\n\n'


def test_keep_alive_comments_fill_slow_streams(server: LightconeTestServer, client: httpx.Client) -> None:
    server.keep_alive_interval = 0.02
    server.enqueue(Reply(chunks=["slow ", "reply"], chunk_delay=0.1))
    text = post(client, stream=True).text
    assert ": keep-alive\n\n" in text
    data_only = "".join(block + "\n\n" for block in text[:-2].split("\n\n") if block != ": keep-alive")
    assert content_of(stream_chunks(data_only)) == "slow reply"


# -- bookkeeping and lifecycle ----------------------------------------------------------------


def test_requests_are_recorded_and_reset(server: LightconeTestServer, client: httpx.Client) -> None:
    client.post("/chat/completions?debug=1", json={"messages": USER, "seed": 7}, headers={"X-Custom": "v"})
    (request,) = server.requests
    assert (request.method, request.path, request.query) == ("POST", "/chat/completions", "debug=1")
    assert request.json == {"messages": USER, "seed": 7}
    assert request.headers["x-custom"] == request.headers["X-CUSTOM"] == "v"
    assert request.completed is True

    server.enqueue(Reply("left over"))
    server.api_key = "changed"
    server.reset()
    assert server.requests == [] and server.pending == 0 and server.connections_accepted == 0
    assert server.api_key is None


def test_keep_alive_reuses_one_connection(server: LightconeTestServer, client: httpx.Client) -> None:
    for _ in range(3):
        post(client)
    post(client, stream=True)
    assert server.connections_accepted == 1
    with httpx.Client(base_url=server.base_url, headers={"Connection": "close"}) as closing:
        assert closing.post("/chat/completions", json={"messages": USER}).headers["connection"] == "close"
        closing.post("/chat/completions", json={"messages": USER})
    assert server.connections_accepted == 3


def test_stop_closes_the_port() -> None:
    server = LightconeTestServer().start()
    port = server.port
    with httpx.Client(base_url=server.base_url) as http:
        assert post(http).status_code == 200
        server.stop()
        with pytest.raises(httpx.TransportError):
            post(http)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert not server.running


def test_stop_while_a_stream_is_stalled() -> None:
    with LightconeTestServer() as server, httpx.Client(base_url=server.base_url, timeout=5) as http:
        server.enqueue(Stall(after_chunks=1))
        with http.stream("POST", "/chat/completions", json={"messages": USER, "stream": True}) as response:
            lines = response.iter_lines()
            assert next(lines).startswith("data: ")
            started = time.monotonic()
            server.stop()
            with pytest.raises(httpx.RemoteProtocolError):
                for _ in lines:
                    pass
            assert time.monotonic() - started < 5


@pytest.mark.anyio
async def test_async_client_and_200_concurrent_streams(server: LightconeTestServer) -> None:
    server.chunk_delay = 0.01
    limits = httpx.Limits(max_connections=250)
    results: Dict[int, str] = {}

    async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=30) as http:

        async def one(i: int) -> None:
            body = {"messages": [{"role": "user", "content": f"stream {i}"}], "stream": True}
            async with http.stream("POST", "/chat/completions", json=body) as response:
                results[i] = (await response.aread()).decode()

        with anyio.fail_after(20):
            async with anyio.create_task_group() as group:
                for i in range(200):
                    group.start_soon(one, i)

    assert len(results) == 200
    for i, text in results.items():
        assert content_of(stream_chunks(text)) == f"Echo: stream {i}"


PLUGIN_USER_TESTS = """
import pytest
from tzafon.testing import Fail, Reply

pytest_plugins = ["tzafon.testing.pytest_plugin"]


@pytest.fixture
def anyio_backend():
    return "asyncio"


def test_sync_client(lightcone_server, lightcone_client):
    lightcone_server.enqueue(Fail(503, retry_after_ms=1), Reply("scripted"))
    completion = lightcone_client.chat.create_completion(messages=[{"role": "user", "content": "hi"}])
    assert completion.choices[0].message.content == "scripted"
    assert len(lightcone_server.requests) == 2


def test_server_was_reset(lightcone_server, lightcone_client):
    assert lightcone_server.requests == [] and lightcone_server.pending == 0
    completion = lightcone_client.chat.create_completion(messages=[{"role": "user", "content": "hi"}])
    assert completion.choices[0].message.content == "Echo: hi"


@pytest.mark.anyio
async def test_async_client(lightcone_server, async_lightcone_client):
    stream = await async_lightcone_client.chat.create_completion(
        messages=[{"role": "user", "content": "hi"}], stream=True
    )
    pieces = [chunk.choices[0].delta.content async for chunk in stream if chunk.choices]
    assert "".join(p or "" for p in pieces) == "Echo: hi"


def test_env(lightcone_env):
    from tzafon import Lightcone

    with Lightcone() as client:
        assert client.chat.create_completion(messages=[{"role": "user", "content": "x"}]).choices
    assert lightcone_env.last_request.headers["authorization"] == "Bearer test-key"
"""


def test_pytest_plugin_fixtures(tmp_path: Any) -> None:
    (tmp_path / "test_user_code.py").write_text(PLUGIN_USER_TESTS)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
