"""The API key never leaks: not in logs (ours or httpx's, at DEBUG), reprs, error messages, tracebacks,
nor in a pickled client unless it was passed explicitly; and plain http off this machine is flagged."""

from __future__ import annotations

import pickle
import logging
import warnings
import traceback
from typing import List

import httpx
import pytest

import tzafon
from tzafon import Lightcone, AsyncLightcone
from tzafon.testing import Fail, Reply, Reset, Stall, LightconeTestServer
from tzafon._base_client import make_request_options

from ._support import API_KEY, MakeDriver, closed_port

KEY = API_KEY


def all_text_of(err: BaseException) -> str:
    """Everything a user or an error tracker would see: message, repr, chained causes, traceback."""
    parts = ["".join(traceback.format_exception(type(err), err, err.__traceback__)), repr(err)]
    request = getattr(err, "request", None)
    if request is not None:
        parts += [repr(request), repr(request.headers), str(request.url)]
    return "\n".join(parts)


def test_key_is_in_no_log_record_at_debug(
    server: LightconeTestServer, make_driver: MakeDriver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: tzafon, httpx and httpcore all propagate to it
    driver = make_driver(timeout=0.3, max_retries=1)
    server.enqueue(Fail(503, retry_after_ms=10), Reply(content="fine"))
    driver.create()
    driver.stream([])
    server.enqueue(Stall(), Stall())
    with pytest.raises(tzafon.APITimeoutError):
        driver.create()
    server.enqueue(Fail(401), Fail(400, message="bad"))
    with pytest.raises(tzafon.AuthenticationError):
        driver.create()
    with pytest.raises(tzafon.BadRequestError):
        driver.create()
    names = {record.name.split(".")[0] for record in caplog.records}
    assert {"tzafon", "httpx", "httpcore"} <= names  # every layer did log something
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in repr(record.args)
    assert KEY not in caplog.text


def test_key_is_in_no_repr() -> None:
    client = Lightcone(api_key=KEY, base_url="http://127.0.0.1:1", default_headers={"X-Team": "a"})
    async_client = AsyncLightcone(api_key=KEY, base_url="http://127.0.0.1:1")
    options = client._prepare_options(
        "post",
        "/chat/completions",
        cast_to=object,
        body={"messages": []},
        options=make_request_options(extra_headers={"X-Extra": "1"}),
        stream=False,
        stream_cls=None,
    )
    for shown in (client, client.with_options(max_retries=0), async_client, options, client.chat):
        assert KEY not in repr(shown) and KEY not in str(shown)


def test_key_is_in_no_error(server: LightconeTestServer, make_driver: MakeDriver) -> None:
    driver = make_driver(timeout=0.3, max_retries=0)
    errors: List[BaseException] = []
    for script in (Fail(401), Fail(500, message="boom"), Stall(), Reset()):
        server.enqueue(script)
        with pytest.raises(tzafon.APIError) as info:
            driver.create()
        errors.append(info.value)
    refused = make_driver(base_url=f"http://127.0.0.1:{closed_port()}", max_retries=0)
    with pytest.raises(tzafon.APIConnectionError) as info:
        refused.create()
    errors.append(info.value)
    for err in errors:
        assert KEY not in all_text_of(err)


def test_missing_key_error_does_not_echo_other_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIGHTCONE_CUSTOM_HEADERS", f"X-Other-Secret: {KEY}")
    with pytest.raises(tzafon.LightconeError) as info:
        Lightcone(base_url="http://127.0.0.1:1")
    assert KEY not in all_text_of(info.value)


def test_key_is_pickled_only_when_passed_explicitly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZAFON_API_KEY", KEY)
    from_env = Lightcone(base_url="http://127.0.0.1:1")
    assert from_env.api_key == KEY
    for client in (from_env, from_env.with_options(max_retries=0), AsyncLightcone(base_url="http://127.0.0.1:1")):
        assert KEY.encode() not in pickle.dumps(client)
    explicit = Lightcone(api_key=KEY, base_url="http://127.0.0.1:1")
    assert KEY.encode() in pickle.dumps(explicit)
    assert KEY.encode() in pickle.dumps(from_env.with_options(api_key=KEY))


@pytest.mark.parametrize(
    "base_url",
    ["http://10.0.0.7:8000/v1", "http://vllm.internal", "http://[2001:db8::1]:8000"],
)
def test_plain_http_to_another_host_warns_once(base_url: str) -> None:
    with pytest.warns(UserWarning, match="sent unencrypted") as caught:
        client = Lightcone(api_key=KEY, base_url=base_url)
    assert len(caught) == 1
    assert caught[0].filename == __file__  # it points at the line that made the client
    assert KEY not in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.with_options(max_retries=0)  # same URL: the copy does not warn again
    with pytest.warns(UserWarning, match="sent unencrypted"):
        AsyncLightcone(api_key=KEY, base_url=base_url)


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.tzafon.ai",
        "http://localhost:8000/v1",
        "http://127.0.0.1:8000",
        "http://127.8.9.10:8000",
        "http://[::1]:8000",
        "http://vllm.localhost:8000",
    ],
)
def test_https_and_loopback_do_not_warn(base_url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Lightcone(api_key=KEY, base_url=base_url)
        AsyncLightcone(api_key=KEY, base_url=base_url)


def test_moving_a_client_to_plain_http_warns() -> None:
    client = Lightcone(api_key=KEY, base_url="http://127.0.0.1:8000")
    with pytest.warns(UserWarning, match="sent unencrypted"):
        client.with_options(base_url="http://192.168.1.20:8000")
    with pytest.warns(UserWarning, match="sent unencrypted"):
        client.base_url = httpx.URL("http://192.168.1.20:8000")
