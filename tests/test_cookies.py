"""The default clients' cookie jar: cookies work as in httpx, and responses that set none cost nothing."""

from __future__ import annotations

from typing import Any, Dict, List, Callable

import httpx
import pytest

from tzafon import Lightcone, AsyncLightcone, DefaultHttpxClient, DefaultAsyncHttpxClient
from tzafon._cookies import ResponseCookies

URL = "http://cookies.test"


def handler(seen: List[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    """Record each request; `/login` sets a cookie, `/hop` redirects to `/land` setting one, others set none."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/login":
            return httpx.Response(200, headers={"set-cookie": "session=s1; Path=/"}, json={})
        if request.url.path == "/hop":
            return httpx.Response(302, headers={"location": "/land", "set-cookie": "hop=h1; Path=/"})
        if request.url.path == "/old":
            return httpx.Response(200, headers={"set-cookie2": 'legacy="l1"; Version="1"; Path="/"'}, json={})
        return httpx.Response(200, json={})

    return answer


class CountingJar:
    """Wraps the jar's `extract_cookies` to count how often httpx's cookie machinery runs."""

    def __init__(self, cookies: httpx.Cookies) -> None:
        self.calls = 0
        jar: Any = cookies.jar
        original = jar.extract_cookies

        def counted(*args: Any, **kwargs: Any) -> None:
            self.calls += 1
            original(*args, **kwargs)

        jar.extract_cookies = counted


def test_cookies_set_by_a_response_are_sent_back() -> None:
    seen: List[httpx.Request] = []
    with DefaultHttpxClient(transport=httpx.MockTransport(handler(seen))) as client:
        client.get(URL + "/login")
        client.get(URL + "/next")
        assert client.cookies.get("session") == "s1"
    assert "cookie" not in seen[0].headers
    assert seen[1].headers["cookie"] == "session=s1"


@pytest.mark.anyio
async def test_async_cookies_set_by_a_response_are_sent_back() -> None:
    seen: List[httpx.Request] = []
    async with DefaultAsyncHttpxClient(transport=httpx.MockTransport(handler(seen))) as client:
        await client.get(URL + "/login")
        await client.get(URL + "/next")
    assert seen[1].headers["cookie"] == "session=s1"


def test_only_responses_with_set_cookie_reach_the_cookie_machinery() -> None:
    with DefaultHttpxClient(transport=httpx.MockTransport(handler([]))) as client:
        counter = CountingJar(client.cookies)
        for _ in range(3):
            client.get(URL + "/plain")
        assert counter.calls == 0
        client.get(URL + "/login")
        assert counter.calls == 1
        client.get(URL + "/old")  # the obsolete Set-Cookie2 header still counts
        assert counter.calls == 2


def test_a_cookie_set_on_a_redirect_is_sent_to_the_target() -> None:
    seen: List[httpx.Request] = []
    with DefaultHttpxClient(transport=httpx.MockTransport(handler(seen))) as client:
        response = client.get(URL + "/hop")
    assert response.status_code == 200
    assert [request.url.path for request in seen] == ["/hop", "/land"]
    assert seen[1].headers["cookie"] == "hop=h1"


@pytest.mark.parametrize("initial", [{"a": "1"}, [("a", "1")], httpx.Cookies({"a": "1"})])
def test_cookies_given_to_the_client_are_sent_and_can_be_replaced(initial: Any) -> None:
    seen: List[httpx.Request] = []
    with DefaultHttpxClient(transport=httpx.MockTransport(handler(seen)), cookies=initial) as client:
        assert isinstance(client.cookies, ResponseCookies)
        client.get(URL + "/x")
        client.cookies = {"b": "2"}
        assert isinstance(client.cookies, ResponseCookies)
        client.get(URL + "/x")
    assert seen[0].headers["cookie"] == "a=1"
    assert seen[1].headers["cookie"] == "b=2"


def test_per_request_cookies_merge_with_the_jar() -> None:
    seen: List[httpx.Request] = []
    with DefaultHttpxClient(transport=httpx.MockTransport(handler(seen)), cookies={"a": "1"}) as client:
        with pytest.warns(DeprecationWarning):  # httpx deprecates per-request cookies, but still honours them
            client.get(URL + "/x", cookies={"c": "3"})
    cookie_header: Dict[str, str] = dict(part.split("=") for part in seen[0].headers["cookie"].split("; "))
    assert cookie_header == {"a": "1", "c": "3"}


def test_the_clients_own_pools_use_this_jar() -> None:
    with Lightcone(api_key="sk-test", base_url=URL) as client:
        assert isinstance(client._client.cookies, ResponseCookies)
    # A pool the caller brings is left exactly as it is.
    plain = httpx.Client()
    with Lightcone(api_key="sk-test", base_url=URL, http_client=plain) as client:
        assert type(client._client.cookies) is httpx.Cookies
    plain.close()


@pytest.mark.anyio
async def test_the_async_clients_own_pool_uses_this_jar() -> None:
    async with AsyncLightcone(api_key="sk-test", base_url=URL) as client:
        assert isinstance(client._client.cookies, ResponseCookies)


def test_the_aiohttp_client_uses_this_jar() -> None:
    pytest.importorskip("httpx_aiohttp", reason="the aiohttp extra is not installed")
    from tzafon import DefaultAioHttpClient

    client = DefaultAioHttpClient(cookies={"a": "1"})
    assert isinstance(client.cookies, ResponseCookies)
    assert client.cookies.get("a") == "1"
