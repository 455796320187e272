"""A local Lightcone (vLLM) server for tests: real sockets, vLLM's wire format, scripted faults.

No dependency beyond what tzafon already needs, and imported on its own (`import tzafon` does
not load it). The server runs its own event loop on a daemon thread, bound to 127.0.0.1 on a
free port, so sync and async code, and any HTTP client, can talk to it::

    from tzafon import Lightcone
    from tzafon.testing import LightconeTestServer, Reply, Fail

    with LightconeTestServer() as server:
        client = Lightcone(base_url=server.base_url, api_key="anything")
        completion = client.chat.create_completion(messages=[{"role": "user", "content": "hi"}])
        assert completion.choices[0].message.content == "Echo: hi"
        assert server.requests[-1].json["messages"][0]["content"] == "hi"

`LightconeTestServer(*, host="127.0.0.1", port=0, api_key=None, model="test-model",
chunk_delay=0.0, keep_alive_interval=None, reasoning_field="reasoning", default=None)`

- `start()` / `stop()`, or use it as a context manager. `base_url` is `http://127.0.0.1:PORT`;
  `POST {base_url}/chat/completions` and `POST {base_url}/v1/chat/completions` are served, as
  are `GET /health`, `/version` and `/v1/models`.
- `api_key`: when set, requests without `Authorization: Bearer <api_key>` get vLLM's 401
  `{"error": "Unauthorized"}`.
- `model`: the `model` every answer reports (like vLLM, whatever the request asked for).
- `chunk_delay`: seconds between streamed chunks; a plain request waits as long as its stream
  would have taken. `keep_alive_interval`: while waiting between chunks, send a
  `: keep-alive` SSE comment every that many seconds (vLLM's `--sse-keep-alive-interval`).
- `reasoning_field`: `"reasoning"` (vLLM >= 0.17), `"reasoning_content"` (<= 0.11.0) or
  `"both"` (0.11.1 to 0.16, the second mirroring the first).
- These settings are attributes too; change them in a test, `reset()` restores them.
- `requests`: the `RecordedRequest`s received (`method`, `path`, `query`, `headers` looked up
  case-insensitively, `body` bytes, `json` parsed body or None, `completed`: whether the whole
  response went out). `last_request`, `connections_accepted`, `pending` (queued scripts not
  yet used), `errors` (exceptions raised by handlers). `reset()` clears all of it and the queue.

Default answer, like a vLLM 0.33 server:

- Checks: a non-JSON body or content type, missing or ill-typed fields, empty `messages`, and
  the contradictions vLLM rejects (`stream_options` without `stream`, `top_logprobs` without
  `logprobs`, `prompt_logprobs` with `stream`, `continue_final_message` with
  `add_generation_prompt`, `tool_choice` without `tools`, `tools: []`, two structured-output
  constraints, `n > 1` with `temperature: 0`, out-of-range sampling values) get a 400
  `{"error": {"message", "type", "param", "code": 400}}`.
- The reply echoes the last user message: `"Echo: <text>"`, cut at `max_tokens` with
  `finish_reason: "length"`. Every field vLLM sends is present (unset ones null), with `usage`,
  `stop_reason`, `system_fingerprint`, and `prompt_token_ids` / `token_ids` when
  `return_token_ids` is set, `logprobs` when asked. Token counts are pseudo-tokens (words).
- `stream: true`: `text/event-stream; charset=utf-8`, chunked, one `data: <json>\\n\\n` event
  per HTTP chunk: a role chunk per choice, content pieces (choices interleaved when `n > 1`),
  one finishing chunk per choice, a `choices: []` usage chunk when
  `stream_options.include_usage` is true (`continuous_usage_stats` too), then `data: [DONE]`.
- `X-Request-Id: <rid>` is echoed as a response header and gives `id == "chatcmpl-<rid>"`.

Scripting: `server.enqueue(*scripts, times=1)` queues what the next chat requests get (requests
that fail authentication or validation do not use the queue); once it is empty,
`server.set_default(script)` applies, else the echo reply. A script is one of the actions below
or a handler: a callable taking the `RecordedRequest` and returning an action, or None for the
echo reply::

    server.enqueue(Fail(503), times=3).enqueue(Reply("finally"))     # three 503s, then success
    server.enqueue(Fail(429, retry_after=1))                          # Retry-After: 1
    server.set_default(lambda request: Fail(500) if request.json.get("user") == "x" else None)

Replies:

- `Reply(content=None, reasoning=None, tool_calls=(), finish_reason=None, stop_reason=None,
  usage=None, role=None, chunks=None, chunk_delay=None, headers={})`, with
  `ToolCall(name, arguments={}, id=None)`. Tool calls stream as vLLM's parsers do: a first
  delta with `index`, `id`, `type` and `function.name`, then `function.arguments` fragments;
  `finish_reason` becomes `"tool_calls"`. Reasoning streams in `reasoning` deltas first.
- `LargeBody(size=10_000_000, chunk_size=65_536)`: a valid reply of `size` characters.

Failures (each works for streaming and plain requests). `after_chunks` counts the stream's
`data:` events from the first one (the role chunk) and is capped at their number, so the fault
always comes before `[DONE]`. `reply` is what the stream carries until then (default: echo).

- `Fail(status=500, message=None, type=None, param=None, retry_after=None,
  retry_after_ms=None, body=None, content_type=None, headers={})`: an HTTP error, vLLM-shaped
  body by default.
- `ErrorEvent(after_chunks=1, code=500, message=None, type=None, param=None, reply=None)`: a
  stream's in-band `data: {"error": {...}}` then `[DONE]`, with HTTP 200 (plain request: the
  error with status `code`).
- `CutStream(after_chunks=1, clean=False, reply=None)`: the connection closes mid-body, no
  `[DONE]`; `clean=True` ends the HTTP body properly but still without `[DONE]`.
- `Stall(seconds=None, after_chunks=None, reply=None)`: nothing is sent for `seconds` (None:
  until the client leaves), before the status line or after `after_chunks` chunks.
- `Reset(when="before_status" | "mid_body", after_chunks=1, reply=None)`: a TCP reset.
- `Html(status=502, text=None, headers={})`: a proxy's HTML error page (nginx's by default).
- `InvalidJSON(text=..., status=200, after_chunks=0)`: a body, or a stream event, that is not JSON.
- `Redirect(location=None, status=307)`: to `location` (default: the requested URL).
- `Gzip(reply=None)`: the reply with `Content-Encoding: gzip` (streams are compressed
  incrementally).
- `RawResponse(status=200, body=b"", content_type="application/json", headers={})` and
  `RawStream(parts=(), status=200, content_type=..., headers={}, delay=0.0)`: exact bytes, for
  anything else (each stream part is flushed on its own, so SSE events can be split anywhere).

pytest: `pytest_plugins = ["tzafon.testing.pytest_plugin"]` gives the fixtures
`lightcone_server`, `lightcone_client`, `async_lightcone_client` and `lightcone_env` (see that
module).
"""

from ._server import LightconeTestServer
from ._actions import (
    Fail,
    Gzip,
    Html,
    Reply,
    Reset,
    Stall,
    Action,
    Script,
    Handler,
    Redirect,
    ToolCall,
    CutStream,
    LargeBody,
    RawStream,
    ErrorEvent,
    InvalidJSON,
    RawResponse,
)
from ._request import RequestHeaders, RecordedRequest

__all__ = [
    "LightconeTestServer",
    "RecordedRequest",
    "RequestHeaders",
    "Reply",
    "ToolCall",
    "LargeBody",
    "Fail",
    "ErrorEvent",
    "CutStream",
    "Stall",
    "Reset",
    "Html",
    "InvalidJSON",
    "Redirect",
    "Gzip",
    "RawResponse",
    "RawStream",
    "Action",
    "Handler",
    "Script",
]
