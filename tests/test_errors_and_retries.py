"""Typed errors, status mapping, server messages, and the retry policy — sync and async alike."""

from __future__ import annotations

import time
import logging
import email.utils
from typing import Any, Dict, List, Callable

import anyio
import httpx
import pytest

import tzafon
from tzafon._retry import retry_wait, should_retry_status, server_requested_wait
from tzafon._exceptions import make_status_error

from .utils import MESSAGES, COMPLETION, Recorder, make_client, error_response, make_async_client

KINDS = ["sync", "async"]


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> List[float]:
    """Replaces both clients' sleep with a recorder, so retry waits are observed, not slept."""
    recorded: List[float] = []

    async def fake_async_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr("tzafon._base_client._sleep", recorded.append)
    monkeypatch.setattr("tzafon._base_client._async_sleep", fake_async_sleep)
    return recorded


def call(kind: str, recorder: Recorder, client_kwargs: Dict[str, Any] | None = None, **kwargs: Any) -> Any:
    client_kwargs = client_kwargs or {}
    if kind == "sync":
        return make_client(recorder, **client_kwargs).chat.create_completion(messages=MESSAGES, **kwargs)

    async def main() -> Any:
        client = make_async_client(recorder, **client_kwargs)
        return await client.chat.create_completion(messages=MESSAGES, **kwargs)

    return anyio.run(main)


# -- status mapping --------------------------------------------------------------------------

STATUS_CLASSES = [
    (400, tzafon.BadRequestError),
    (401, tzafon.AuthenticationError),
    (403, tzafon.PermissionDeniedError),
    (404, tzafon.NotFoundError),
    (409, tzafon.ConflictError),
    (422, tzafon.UnprocessableEntityError),
    (429, tzafon.RateLimitError),
    (500, tzafon.InternalServerError),
    (501, tzafon.InternalServerError),
    (503, tzafon.InternalServerError),
    (418, tzafon.APIStatusError),
    (405, tzafon.APIStatusError),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_status_code_maps_to_class(kind: str, status: int, cls: type, sleeps: List[float]) -> None:
    recorder = Recorder(*[error_response(status, headers={"x-request-id": "r-1"})] * 3)
    with pytest.raises(cls) as info:
        call(kind, recorder)
    err = info.value
    assert type(err) is cls
    assert isinstance(err, tzafon.APIStatusError) and isinstance(err, tzafon.APIError)
    assert isinstance(err, tzafon.LightconeError)
    assert err.status_code == status
    assert err.message == f"boom {status}"
    assert err.body == {"error": {"message": f"boom {status}", "type": "Error", "param": None, "code": status}}
    assert err.request_id == "r-1"
    assert err.response.status_code == status
    assert f"Error code: {status}" in str(err) and f"boom {status}" in str(err)


def test_hierarchy() -> None:
    assert issubclass(tzafon.APITimeoutError, tzafon.APIConnectionError)
    assert issubclass(tzafon.APIConnectionError, tzafon.APIError)
    assert issubclass(tzafon.APIResponseValidationError, tzafon.APIError)
    assert issubclass(tzafon.APIError, tzafon.LightconeError)
    assert tzafon.BadRequestError.__module__ == "tzafon"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {
                "error": {
                    "message": "The model `x` does not exist.",
                    "type": "NotFoundError",
                    "param": "model",
                    "code": 404,
                }
            },
            "The model `x` does not exist.",
        ),
        (
            {
                "object": "error",
                "message": "legacy flat message",
                "type": "BadRequestError",
                "param": None,
                "code": 400,
            },
            "legacy flat message",
        ),
        ({"error": "Unauthorized"}, "Unauthorized"),
    ],
)
def test_server_message_extracted_from_every_shape(body: Any, message: str) -> None:
    request = httpx.Request("POST", "http://x/chat/completions")
    err = make_status_error(httpx.Response(400, json=body, request=request), body)
    assert err.message == message
    assert message in str(err)


def test_param_and_type_exposed() -> None:
    body = {"error": {"message": "bad", "type": "BadRequestError", "param": "temperature", "code": 400}}
    recorder = Recorder(error_response(400, body))
    with pytest.raises(tzafon.BadRequestError) as info:
        call("sync", recorder)
    assert info.value.param == "temperature"
    assert info.value.type == "BadRequestError"
    assert info.value.code == 400


@pytest.mark.parametrize("kind", KINDS)
def test_html_502_from_proxy(kind: str, sleeps: List[float]) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    recorder = Recorder(*[httpx.Response(502, text=page, headers={"content-type": "text/html"})] * 3)
    with pytest.raises(tzafon.InternalServerError) as info:
        call(kind, recorder)
    assert info.value.status_code == 502
    assert info.value.body == page
    assert "502" in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_401_string_error_is_authentication_error(kind: str) -> None:
    recorder = Recorder(httpx.Response(401, json={"error": "Unauthorized"}))
    with pytest.raises(tzafon.AuthenticationError) as info:
        call(kind, recorder)
    assert info.value.message == "Unauthorized"
    assert len(recorder.requests) == 1  # 401 is not retried


@pytest.mark.parametrize("kind", KINDS)
def test_invalid_json_on_200_is_validation_error(kind: str) -> None:
    recorder = Recorder(httpx.Response(200, text="not json {", headers={"content-type": "application/json"}))
    with pytest.raises(tzafon.APIResponseValidationError) as info:
        call(kind, recorder)
    assert info.value.body == "not json {"
    assert info.value.status_code == 200
    assert "not valid JSON" in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_connection_error_names_cause(kind: str, sleeps: List[float]) -> None:
    recorder = Recorder(*[httpx.ConnectError("Connection refused")] * 3)
    with pytest.raises(tzafon.APIConnectionError) as info:
        call(kind, recorder)
    assert not isinstance(info.value, tzafon.APITimeoutError)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert "Connection refused" in str(info.value) and "testserver" in str(info.value)
    assert len(recorder.requests) == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize("kind", KINDS)
def test_timeout_error_says_which_limit_and_attempts(kind: str, sleeps: List[float]) -> None:
    recorder = Recorder(*[httpx.ReadTimeout("timed out")] * 3)
    with pytest.raises(tzafon.APITimeoutError) as info:
        call(kind, recorder)
    assert "read timeout" in str(info.value) and "3 attempts" in str(info.value)
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


@pytest.mark.parametrize("kind", KINDS)
def test_pool_timeout_names_the_setting(kind: str) -> None:
    recorder = Recorder(httpx.PoolTimeout("pool"))
    with pytest.raises(tzafon.APITimeoutError, match="max_connections"):
        call(kind, recorder, {"max_retries": 0})


# -- retries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried(kind: str, status: int, sleeps: List[float]) -> None:
    recorder = Recorder(error_response(status), error_response(status), httpx.Response(200, json=COMPLETION))
    completion = call(kind, recorder)
    assert completion.id == "chatcmpl-abc"
    assert [r.headers["x-stainless-retry-count"] for r in recorder.requests] == ["0", "1", "2"]
    assert len(sleeps) == 2


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(kind: str, status: int, sleeps: List[float]) -> None:
    recorder = Recorder(error_response(status))
    with pytest.raises(tzafon.APIStatusError):
        call(kind, recorder)
    assert len(recorder.requests) == 1 and sleeps == []


@pytest.mark.parametrize("kind", KINDS)
def test_gives_up_after_max_retries_with_exact_attempts(kind: str, sleeps: List[float]) -> None:
    recorder = Recorder(*[error_response(503)] * 10)
    with pytest.raises(tzafon.InternalServerError):
        call(kind, recorder, {"max_retries": 4})
    assert len(recorder.requests) == 5
    assert len(sleeps) == 4


@pytest.mark.parametrize("kind", KINDS)
def test_with_options_max_retries_per_request(kind: str, sleeps: List[float]) -> None:
    recorder = Recorder(*[error_response(503)] * 3)

    if kind == "sync":
        client = make_client(recorder).with_options(max_retries=0)
        with pytest.raises(tzafon.InternalServerError):
            client.chat.create_completion(messages=MESSAGES)
    else:

        async def main() -> None:
            client = make_async_client(recorder).with_options(max_retries=0)
            await client.chat.create_completion(messages=MESSAGES)

        with pytest.raises(tzafon.InternalServerError):
            anyio.run(main)
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_x_should_retry_overrides(kind: str, sleeps: List[float]) -> None:
    recorder = Recorder(error_response(400, headers={"x-should-retry": "true"}), httpx.Response(200, json=COMPLETION))
    assert call(kind, recorder).id == "chatcmpl-abc"
    assert len(recorder.requests) == 2
    recorder = Recorder(error_response(503, headers={"x-should-retry": "false"}))
    with pytest.raises(tzafon.InternalServerError):
        call(kind, recorder)
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_retry_after_ms_and_seconds_are_honoured(kind: str, sleeps: List[float]) -> None:
    recorder = Recorder(
        error_response(429, headers={"retry-after-ms": "1500"}),
        error_response(429, headers={"retry-after": "3"}),
        httpx.Response(200, json=COMPLETION),
    )
    call(kind, recorder)
    assert sleeps == [1.5, 3.0]


def test_retry_after_http_date() -> None:
    when = email.utils.formatdate(time.time() + 10, usegmt=True)
    wait = server_requested_wait(httpx.Headers({"retry-after": when}))
    assert wait is not None and 8 <= wait <= 10.5


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after": "120"},
        {"retry-after": "0"},
        {"retry-after": "-3"},
        {"retry-after": "soon"},
        {"retry-after-ms": "nan"},
    ],
)
def test_unusable_retry_after_falls_back_to_backoff(headers: Dict[str, str]) -> None:
    assert server_requested_wait(httpx.Headers(headers)) is None
    wait = retry_wait(0, httpx.Headers(headers))
    assert 0.375 < wait <= 0.5


@pytest.mark.parametrize(
    ("retries_taken", "low", "high"),
    [(0, 0.375, 0.5), (1, 0.75, 1.0), (2, 1.5, 2.0), (3, 3.0, 4.0), (4, 6.0, 8.0), (10, 6.0, 8.0)],
)
def test_backoff_with_jitter(retries_taken: int, low: float, high: float) -> None:
    assert retry_wait(retries_taken, rand=lambda: 0.0) == high
    assert retry_wait(retries_taken, rand=lambda: 0.999999) == pytest.approx(low, rel=1e-5)
    for _ in range(50):
        assert low < retry_wait(retries_taken) <= high


def test_should_retry_status_table() -> None:
    empty = httpx.Headers()
    assert [s for s in (400, 401, 403, 404, 408, 409, 422, 429, 500, 503) if should_retry_status(s, empty)] == [
        408,
        409,
        429,
        500,
        503,
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_each_retry_logged_at_info_with_reason(
    kind: str, sleeps: List[float], caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder(error_response(503), httpx.ConnectError("refused"), httpx.Response(200, json=COMPLETION))
    with caplog.at_level(logging.INFO, logger="tzafon"):
        call(kind, recorder)
    retries = [r for r in caplog.records if r.name == "tzafon" and "Retrying" in r.getMessage()]
    assert len(retries) == 2
    assert retries[0].levelno == logging.INFO
    assert "503" in retries[0].getMessage()
    assert "ConnectError" in retries[1].getMessage()


@pytest.mark.parametrize("kind", KINDS)
def test_key_never_logged_at_debug(kind: str, sleeps: List[float], caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder(error_response(503), httpx.Response(200, json=COMPLETION))
    with caplog.at_level(logging.DEBUG):
        call(kind, recorder, {"api_key": "sk-very-secret"})
    assert caplog.records
    for record in caplog.records:
        assert "sk-very-secret" not in record.getMessage()


def test_errors_never_show_key(sleeps: List[float]) -> None:
    recorder = Recorder(error_response(401, {"error": "Unauthorized"}))
    with pytest.raises(tzafon.AuthenticationError) as info:
        call("sync", recorder, {"api_key": "sk-very-secret"})
    assert "sk-very-secret" not in str(info.value) and "sk-very-secret" not in repr(info.value)


def _env_logging(monkeypatch: pytest.MonkeyPatch, value: str) -> Callable[[], int]:
    import tzafon._logs as logs

    monkeypatch.setenv("LIGHTCONE_LOG", value)
    monkeypatch.setattr(logs, "_configured", False)
    before = list(logs.logger.handlers)

    def level() -> int:
        make_client(Recorder())
        added = [h for h in logs.logger.handlers if h not in before]
        for handler in added:
            logs.logger.removeHandler(handler)
            logs.httpx_logger.removeHandler(handler)
        return logs.logger.level

    return level


@pytest.mark.parametrize(("value", "level"), [("debug", logging.DEBUG), ("info", logging.INFO)])
def test_lightcone_log_env(monkeypatch: pytest.MonkeyPatch, value: str, level: int) -> None:
    import tzafon._logs as logs

    old = logs.logger.level
    try:
        assert _env_logging(monkeypatch, value)() == level
    finally:
        logs.logger.setLevel(old)
        logs.httpx_logger.setLevel(logging.NOTSET)
