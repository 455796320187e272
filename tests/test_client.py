"""Client configuration: options, environment variables, headers, copies, lifecycle, custom requests."""

from __future__ import annotations

import json
import pickle
import platform
from typing import Any, List

import httpx
import pytest

import tzafon
from tzafon import Lightcone, AsyncLightcone, LightconeError
from tzafon._types import omit

from .utils import MESSAGES, COMPLETION, Recorder, make_client, make_async_client


def test_api_key_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZAFON_API_KEY", "sk-from-env")
    client = Lightcone()
    assert client.api_key == "sk-from-env"


def test_missing_api_key_names_the_env_var() -> None:
    with pytest.raises(LightconeError, match="TZAFON_API_KEY"):
        Lightcone()
    with pytest.raises(LightconeError, match="TZAFON_API_KEY"):
        AsyncLightcone()


def test_explicit_api_key_wins_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZAFON_API_KEY", "sk-from-env")
    assert Lightcone(api_key="sk-explicit").api_key == "sk-explicit"


def test_default_base_url_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert str(Lightcone(api_key="k").base_url).rstrip("/") == "https://api.tzafon.ai"
    monkeypatch.setenv("LIGHTCONE_BASE_URL", "http://localhost:8000/v1")
    client = Lightcone(api_key="k")
    assert isinstance(client.base_url, httpx.URL)
    assert str(client.base_url) == "http://localhost:8000/v1/"
    assert str(Lightcone(api_key="k", base_url="http://other/x").base_url) == "http://other/x/"


def test_posts_to_chat_completions_under_base_url() -> None:
    recorder = Recorder()
    client = make_client(recorder, base_url="http://host:8000/v1")
    client.chat.create_completion(messages=MESSAGES)
    assert recorder.last.method == "POST"
    assert str(recorder.last.url) == "http://host:8000/v1/chat/completions"


def test_defaults() -> None:
    client = Lightcone(api_key="k")
    assert client.max_retries == 2 == tzafon.DEFAULT_MAX_RETRIES
    assert client.timeout == httpx.Timeout(60, connect=5.0) == tzafon.DEFAULT_TIMEOUT
    pool = client._client._transport._pool  # type: ignore[attr-defined]
    assert pool._max_connections == 100
    assert pool._max_keepalive_connections == 20


def test_wire_headers() -> None:
    recorder = Recorder()
    client = make_client(recorder)
    client.chat.create_completion(messages=MESSAGES)
    headers = recorder.last.headers
    assert headers["authorization"] == "Bearer sk-test-123"
    assert headers["content-type"] == "application/json"
    assert headers["accept"] == "application/json"
    assert headers["user-agent"] == f"Lightcone/Python {tzafon.__version__}"
    assert headers["x-stainless-lang"] == "python"
    assert headers["x-stainless-package-version"] == tzafon.__version__
    assert headers["x-stainless-runtime"] == platform.python_implementation()
    assert headers["x-stainless-runtime-version"] == platform.python_version()
    assert headers["x-stainless-os"] in {"Linux", "MacOS", "Windows", "FreeBSD", "OpenBSD"}
    assert headers["x-stainless-arch"] in {"x64", "arm64", "arm", "x32"}
    assert headers["x-stainless-async"] == "false"
    assert headers["x-stainless-retry-count"] == "0"
    assert headers["x-stainless-read-timeout"] == "60"
    assert len(headers["x-request-id"]) == 32


def test_streaming_request_accepts_event_stream() -> None:
    recorder = Recorder(httpx.Response(200, content=b"data: [DONE]\n\n", headers={"content-type": "text/event-stream"}))
    client = make_client(recorder)
    stream = client.chat.create_completion(messages=MESSAGES, stream=True)
    assert list(stream) == []
    assert recorder.last.headers["accept"] == "text/event-stream"


@pytest.mark.anyio
async def test_async_headers() -> None:
    recorder = Recorder()
    client = make_async_client(recorder)
    await client.chat.create_completion(messages=MESSAGES)
    assert recorder.last.headers["x-stainless-async"] == "async:asyncio"
    assert recorder.last.headers["authorization"] == "Bearer sk-test-123"


def test_default_headers_and_env_custom_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIGHTCONE_CUSTOM_HEADERS", "X-Team: search\nX-Env: staging\n\nX-Both: from-env")
    recorder = Recorder()
    client = make_client(recorder, default_headers={"X-Both": "explicit", "X-Extra": "1"})
    client.chat.create_completion(messages=MESSAGES)
    headers = recorder.last.headers
    assert headers["x-team"] == "search"
    assert headers["x-env"] == "staging"
    assert headers["x-both"] == "explicit"
    assert headers["x-extra"] == "1"


def test_malformed_custom_headers_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIGHTCONE_CUSTOM_HEADERS", "no colon here")
    with pytest.raises(LightconeError, match="LIGHTCONE_CUSTOM_HEADERS line 1"):
        Lightcone(api_key="k")


def test_omit_removes_a_default_header() -> None:
    recorder = Recorder()
    client = make_client(recorder, default_headers={"X-Stainless-Lang": omit})  # type: ignore[dict-item]
    client.chat.create_completion(messages=MESSAGES)
    assert "x-stainless-lang" not in recorder.last.headers


def test_default_query_and_extra_query() -> None:
    recorder = Recorder()
    client = make_client(recorder, default_query={"tenant": "a", "keep": "1"})
    client.chat.create_completion(messages=MESSAGES, extra_query={"tenant": "b", "debug": "true"})
    params = recorder.last.url.params
    assert params["tenant"] == "b"
    assert params["keep"] == "1"
    assert params["debug"] == "true"


def test_extra_headers_win() -> None:
    recorder = Recorder()
    client = make_client(recorder, default_headers={"X-A": "client"})
    client.chat.create_completion(messages=MESSAGES, extra_headers={"X-A": "call", "Authorization": "Bearer other"})
    assert recorder.last.headers["x-a"] == "call"
    assert recorder.last.headers["authorization"] == "Bearer other"


def test_per_request_timeout_sets_read_timeout_header() -> None:
    recorder = Recorder()
    client = make_client(recorder)
    client.chat.create_completion(messages=MESSAGES, timeout=12.5)
    assert recorder.last.headers["x-stainless-read-timeout"] == "12.5"
    assert recorder.last.extensions["timeout"]["read"] == 12.5
    client.chat.create_completion(messages=MESSAGES, timeout=httpx.Timeout(3, read=7))
    assert recorder.last.extensions["timeout"]["read"] == 7
    assert recorder.last.extensions["timeout"]["connect"] == 3


def test_client_timeout_float() -> None:
    recorder = Recorder()
    client = make_client(recorder, timeout=2.0)
    client.chat.create_completion(messages=MESSAGES)
    assert recorder.last.extensions["timeout"]["read"] == 2.0


def test_repr_never_shows_key() -> None:
    client = Lightcone(api_key="sk-secret-value")
    assert "sk-secret-value" not in repr(client)
    assert "sk-secret-value" not in str(client)
    assert "api.tzafon.ai" in repr(client)


def test_with_options_shares_pool_and_leaves_original() -> None:
    recorder = Recorder()
    client = make_client(recorder, default_headers={"X-A": "1"})
    copy = client.with_options(max_retries=5, timeout=3.0, default_headers={"X-B": "2"})
    assert copy._client is client._client
    assert copy.max_retries == 5 and client.max_retries == 2
    assert copy.timeout == 3.0 and client.timeout == httpx.Timeout(60, connect=5.0)
    copy.chat.create_completion(messages=MESSAGES)
    assert recorder.last.headers["x-a"] == "1" and recorder.last.headers["x-b"] == "2"
    client.chat.create_completion(messages=MESSAGES)
    assert "x-b" not in recorder.last.headers
    assert client.copy(api_key="other").api_key == "other"
    replaced = client.with_options(set_default_headers={"X-C": "3"})
    replaced.chat.create_completion(messages=MESSAGES)
    assert "x-a" not in recorder.last.headers and recorder.last.headers["x-c"] == "3"
    # Closing a copy leaves the shared pool open.
    copy.close()
    assert not client.is_closed()


def test_close_and_context_manager() -> None:
    with Lightcone(api_key="k") as client:
        assert not client.is_closed()
    assert client.is_closed()


def test_user_http_client_is_not_closed_by_client() -> None:
    http_client = httpx.Client()
    client = Lightcone(api_key="k", http_client=http_client)
    client.close()
    assert not http_client.is_closed
    http_client.close()


@pytest.mark.anyio
async def test_async_close_and_context_manager() -> None:
    async with AsyncLightcone(api_key="k") as client:
        assert not client.is_closed()
    assert client.is_closed()


def test_wrong_http_client_type() -> None:
    with pytest.raises(TypeError, match="httpx.Client"):
        Lightcone(api_key="k", http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="httpx.AsyncClient"):
        AsyncLightcone(api_key="k", http_client=httpx.Client())  # type: ignore[arg-type]


def test_invalid_max_retries() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        Lightcone(api_key="k", max_retries=-1)


def test_default_httpx_clients_carry_defaults() -> None:
    client = tzafon.DefaultHttpxClient()
    assert client.timeout == tzafon.DEFAULT_TIMEOUT
    assert client.follow_redirects
    client.close()
    other = tzafon.DefaultHttpxClient(timeout=5)
    assert other.timeout == httpx.Timeout(5)
    other.close()


def test_aiohttp_client_without_extra_says_how_to_install() -> None:
    try:
        import httpx_aiohttp  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match=r"tzafon\[aiohttp\]"):
            tzafon.DefaultAioHttpClient()
    else:
        assert issubclass(tzafon.DefaultAioHttpClient, httpx.AsyncClient)


def test_aliases_and_exports() -> None:
    assert tzafon.Client is Lightcone
    assert tzafon.AsyncClient is AsyncLightcone
    assert tzafon.__title__ == "tzafon"
    for name in tzafon.__all__:
        assert getattr(tzafon, name) is not None
    assert tzafon.NOT_GIVEN is tzafon.not_given
    assert not tzafon.NOT_GIVEN and not tzafon.omit
    assert pickle.loads(pickle.dumps(tzafon.NOT_GIVEN)) is tzafon.NOT_GIVEN


def test_returns_typed_completion_with_request_id() -> None:
    recorder = Recorder(httpx.Response(200, json=COMPLETION, headers={"x-request-id": "rid-123"}))
    client = make_client(recorder)
    completion = client.chat.create_completion(messages=MESSAGES)
    assert isinstance(completion, tzafon.types.ChatCompletion)
    assert completion.choices[0].message.content == "Hello!"
    assert completion._request_id == "rid-123"


def test_request_id_is_sent_and_reused_across_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tzafon._base_client._sleep", lambda _s: None)
    recorder = Recorder(httpx.Response(503), httpx.Response(200, json=COMPLETION))
    client = make_client(recorder)
    completion = client.chat.create_completion(messages=MESSAGES)
    ids = [r.headers["x-request-id"] for r in recorder.requests]
    assert len(ids) == 2 and ids[0] == ids[1]
    assert completion._request_id == ids[0]


def test_body_request_id_becomes_the_header() -> None:
    recorder = Recorder()
    client = make_client(recorder)
    client.chat.create_completion(messages=MESSAGES, request_id="my-trace-1")
    assert recorder.last.headers["x-request-id"] == "my-trace-1"
    assert recorder.body()["request_id"] == "my-trace-1"


# -- undocumented endpoints ---------------------------------------------------------------


def test_custom_post_and_get() -> None:
    recorder = Recorder(
        httpx.Response(200, json={"data": [{"id": "m"}]}),
        httpx.Response(200, json={"ok": True}),
    )
    client = make_client(recorder)
    models = client.get("/models", cast_to=object)
    assert models == {"data": [{"id": "m"}]}
    assert recorder.last.method == "GET" and str(recorder.last.url) == "http://testserver/v1/models"
    assert recorder.last.headers["authorization"] == "Bearer sk-test-123"
    result = client.post(
        "/tokenize", cast_to=object, body={"prompt": "x"}, options={"headers": {"X-A": "1"}, "params": {"q": "1"}}
    )
    assert result == {"ok": True}
    assert json.loads(recorder.last.content) == {"prompt": "x"}
    assert recorder.last.headers["x-a"] == "1" and recorder.last.url.params["q"] == "1"


def test_custom_request_raw_response() -> None:
    recorder = Recorder(httpx.Response(200, text="pong"))
    client = make_client(recorder)
    response = client.get("/ping", cast_to=httpx.Response)
    assert isinstance(response, httpx.Response)
    assert response.text == "pong"


def test_custom_request_uses_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tzafon._base_client._sleep", lambda _s: None)
    recorder = Recorder(httpx.Response(500), httpx.Response(200, json={"ok": 1}))
    client = make_client(recorder)
    assert client.post("/x", cast_to=object, body={}) == {"ok": 1}
    assert len(recorder.requests) == 2
    recorder2 = Recorder(httpx.Response(500), httpx.Response(200, json={"ok": 1}))
    client2 = make_client(recorder2)
    with pytest.raises(tzafon.InternalServerError):
        client2.post("/x", cast_to=object, body={}, options={"max_retries": 0})
    assert len(recorder2.requests) == 1


@pytest.mark.anyio
async def test_async_custom_requests() -> None:
    recorder = Recorder(httpx.Response(200, json={"a": 1}), httpx.Response(200, json={"b": 2}))
    client = make_async_client(recorder)
    assert await client.get("/models", cast_to=object) == {"a": 1}
    assert await client.post("/x", cast_to=object, body={"k": 1}) == {"b": 2}
    seen: List[Any] = [r.method for r in recorder.requests]
    assert seen == ["GET", "POST"]


def test_import_loads_no_models_or_types() -> None:
    """`import tzafon` stays cheap: pydantic, the types and the streams load on first use."""
    import sys
    import subprocess

    code = (
        "import sys, tzafon; tzafon.Lightcone(api_key='k'); "
        "print(sorted(m for m in ('pydantic', 'tzafon.types', 'tzafon._streaming', 'distro') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_user_http_client_headers_params_and_cookies_are_kept() -> None:
    recorder = Recorder()
    http_client = httpx.Client(
        transport=httpx.MockTransport(recorder), headers={"X-Proxy-Auth": "p", "User-Agent": "x"}
    )
    client = Lightcone(api_key="k", base_url="http://testserver", http_client=http_client)
    client.chat.create_completion(messages=MESSAGES)
    assert recorder.last.headers["x-proxy-auth"] == "p"
    assert recorder.last.headers["user-agent"].startswith("Lightcone/Python")  # ours wins over the client's
    http_client.headers["X-Later"] = "added after the first call"
    http_client.cookies.set("session", "abc")
    http_client.params = httpx.QueryParams({"tenant": "t1"})
    client.chat.create_completion(messages=MESSAGES)
    assert recorder.last.headers["x-later"] == "added after the first call"
    assert "session=abc" in recorder.last.headers["cookie"]
    assert recorder.last.url.params["tenant"] == "t1"
