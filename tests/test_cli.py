"""The `lightcone` command (`python -m tzafon`), run as a real process against a local vLLM-like server."""

from __future__ import annotations

import os
import sys
import json
import time
import select
import signal
import socket
import subprocess
from typing import Dict, List, Iterator, Optional, Sequence

import pytest

from tzafon.testing import Fail, Reply, Stall, CutStream, ErrorEvent, LightconeTestServer

KEY = "sk-cli-test"
ANSWER = "Paris is the capital of France."
REASONING = "The user asks about geography."
DIM = "\x1b[2m"

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


@pytest.fixture
def server() -> Iterator[LightconeTestServer]:
    with LightconeTestServer(api_key=KEY) as server:
        server.set_default(Reply(content=ANSWER, reasoning=REASONING))
        yield server


def _env(**overrides: Optional[str]) -> Dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in ("NO_COLOR", "TZAFON_API_KEY")}
    env["TZAFON_API_KEY"] = KEY
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _run(
    args: Sequence[str], *, stdin: str = "", env: Optional[Dict[str, str]] = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tzafon", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env if env is not None else _env(),
        timeout=60,
    )


def _assert_one_clean_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("lightcone: error: ")
    return lines[0]


def test_chat_streams_the_answer_to_stdout_and_the_reasoning_to_stderr(server: LightconeTestServer) -> None:
    result = _run(
        [
            "chat",
            "What is the capital of France?",
            "--base-url",
            server.base_url,
            "--model",
            "test-model",
            "--system",
            "Be brief.",
            "--temperature",
            "0.5",
            "--max-tokens",
            "64",
        ]
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == ANSWER + "\n"
    assert result.stderr == REASONING + "\n"  # not a terminal: no ANSI codes
    body = server.last_request.json
    assert body["stream"] is True
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is the capital of France?"},
    ]
    assert body["model"] == "test-model"
    assert body["temperature"] == 0.5
    assert body["max_completion_tokens"] == 64
    assert server.last_request.headers["authorization"] == f"Bearer {KEY}"


def test_api_key_and_base_url_come_from_options_or_the_environment(server: LightconeTestServer) -> None:
    from_options = _run(["chat", "hi", "--base-url", server.base_url, "--api-key", KEY], env=_env(TZAFON_API_KEY=None))
    from_env = _run(["chat", "hi"], env=_env(LIGHTCONE_BASE_URL=server.base_url))

    assert from_options.returncode == 0 and from_options.stdout == ANSWER + "\n"
    assert from_env.returncode == 0 and from_env.stdout == ANSWER + "\n"


def test_json_prints_the_whole_completion(server: LightconeTestServer) -> None:
    result = _run(["chat", "hi", "--json", "--base-url", server.base_url])

    assert result.returncode == 0, result.stderr
    completion = json.loads(result.stdout)
    assert completion["object"] == "chat.completion"
    assert completion["choices"][0]["message"]["content"] == ANSWER
    assert completion["choices"][0]["message"]["reasoning"] == REASONING
    assert server.last_request.json.get("stream") is None


def test_the_prompt_is_read_from_stdin_when_not_given(server: LightconeTestServer) -> None:
    piped = _run(["chat", "--base-url", server.base_url], stdin="Summarise this text.\n")
    dash = _run(["chat", "-", "--base-url", server.base_url], stdin="From a dash.")

    assert piped.returncode == 0 and piped.stdout == ANSWER + "\n"
    assert dash.returncode == 0
    first, second = (request.json["messages"] for request in server.requests)
    assert first == [{"role": "user", "content": "Summarise this text."}]
    assert second == [{"role": "user", "content": "From a dash."}]


def test_missing_api_key_exits_4_and_names_the_variable() -> None:
    result = _run(["chat", "hi", "--base-url", "http://127.0.0.1:9"], env=_env(TZAFON_API_KEY=None))

    assert result.returncode == 4
    assert "TZAFON_API_KEY" in _assert_one_clean_line(result.stderr)
    assert result.stdout == ""


def test_bad_configuration_exits_4() -> None:
    result = _run(["chat", "hi"], env=_env(LIGHTCONE_CUSTOM_HEADERS="not a header line"))

    assert result.returncode == 4
    assert "LIGHTCONE_CUSTOM_HEADERS" in _assert_one_clean_line(result.stderr)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_failure_exits_3_and_names_the_url() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"

    result = _run(["chat", "hi", "--base-url", url, "--max-retries", "0"])

    assert result.returncode == 3
    line = _assert_one_clean_line(result.stderr)
    assert f"{url}/chat/completions" in line
    assert "ConnectError" in line


def test_timeout_exits_3_and_names_the_url(server: LightconeTestServer) -> None:
    server.enqueue(Stall(seconds=None))

    result = _run(["chat", "hi", "--base-url", server.base_url, "--timeout", "0.5", "--max-retries", "0"])

    assert result.returncode == 3
    line = _assert_one_clean_line(result.stderr)
    assert "timed out" in line
    assert f"{server.base_url}/chat/completions" in line


@pytest.mark.parametrize("json_mode", [False, True])
def test_api_errors_exit_1_with_status_and_server_message(server: LightconeTestServer, json_mode: bool) -> None:
    server.enqueue(Fail(404, message="The model `nope` does not exist."))

    result = _run(["chat", "hi", "--model", "nope", "--base-url", server.base_url, *(["--json"] if json_mode else [])])

    assert result.returncode == 1
    assert _assert_one_clean_line(result.stderr) == (
        "lightcone: error: API error 404 Not Found: The model `nope` does not exist."
    )
    assert result.stdout == ""


def test_an_error_in_the_middle_of_the_stream_keeps_the_text_and_exits_1(server: LightconeTestServer) -> None:
    server.enqueue(
        ErrorEvent(after_chunks=3, code=500, message="engine died", reply=Reply(content="Partial answer then"))
    )

    result = _run(["chat", "hi", "--base-url", server.base_url])

    assert result.returncode == 1
    assert result.stdout.startswith("Partial ") and result.stdout.endswith("\n")
    assert _assert_one_clean_line(result.stderr) == "lightcone: error: API error 500 Internal Server Error: engine died"


def test_a_cut_stream_is_a_connection_error(server: LightconeTestServer) -> None:
    server.enqueue(CutStream(after_chunks=2, reply=Reply(content="Cut short here")))

    result = _run(["chat", "hi", "--base-url", server.base_url])

    assert result.returncode == 3
    line = _assert_one_clean_line(result.stderr)
    assert f"connection to {server.base_url}/chat/completions failed" in line


def test_a_wrong_key_is_an_api_error(server: LightconeTestServer) -> None:
    result = _run(["chat", "hi", "--base-url", server.base_url, "--api-key", "wrong"])

    assert result.returncode == 1
    assert _assert_one_clean_line(result.stderr) == "lightcone: error: API error 401 Unauthorized"


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["chat", "hi", "--max-tokens", "0"], ""),
        (["chat", "hi", "--temperature", "warm"], ""),
        (["chat", "--no-such-option"], ""),
        (["chat"], "   \n"),
        (["dance"], ""),
        ([], ""),
    ],
)
def test_usage_errors_exit_2(args: List[str], stdin: str) -> None:
    result = _run([*args, "--base-url", "http://127.0.0.1:9"] if args else args, stdin=stdin)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "usage" in result.stderr or "no prompt" in result.stderr


def test_help_documents_the_exit_codes() -> None:
    result = _run(["chat", "--help"])

    assert result.returncode == 0
    for line in ("0 ", "1 ", "2 ", "3 ", "4 ", "130"):
        assert f"  {line}" in result.stdout
    assert "TZAFON_API_KEY" in result.stdout


@posix_only
def test_ctrl_c_exits_130_and_text_already_received_is_shown(server: LightconeTestServer) -> None:
    # The server sends the first pieces, then stalls until the client goes away.
    server.enqueue(Stall(after_chunks=3, reply=Reply(content="First words then a long silence")))
    process = subprocess.Popen(
        [sys.executable, "-m", "tzafon", "chat", "hi", "--base-url", server.base_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    assert process.stdout is not None
    try:
        # Streaming: the first words are on stdout while the answer is still being generated.
        assert _read_until(process.stdout.fileno(), b"First ", timeout=30).startswith(b"First ")
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert b"Traceback" not in stderr


def _read_until(fd: int, wanted: bytes, *, timeout: float, seen: bytes = b"") -> bytes:
    """Read from `fd` until `wanted` appears in `seen` plus what was read; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"{wanted!r} did not appear; got {seen!r}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:  # a pty's reader gets EIO once the other side is closed
            data = b""
        if not data:
            raise AssertionError(f"output ended before {wanted!r}; got {seen!r}")
        seen += data
    return seen


class _Terminal:
    """A child process attached to a pseudo-terminal, driven like a user at a keyboard."""

    def __init__(self, args: Sequence[str], env: Dict[str, str]) -> None:
        import pty

        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tzafon", *args], stdin=slave, stdout=slave, stderr=slave, env=env
        )
        os.close(slave)
        self.output = b""

    def expect(self, wanted: str, timeout: float = 30) -> str:
        """Wait for `wanted` in the output; returns the output up to and including it, consumed."""
        token = wanted.encode()
        self.output = _read_until(self.master, token, timeout=timeout, seen=self.output)
        before, _, self.output = self.output.partition(token)
        return (before + token).decode()

    def send(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def close(self) -> int:
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            os.close(self.master)


@posix_only
def test_interactive_chat_keeps_the_history_until_exit(server: LightconeTestServer) -> None:
    server.enqueue(
        Reply(content="Hello! How can I help?", reasoning="A greeting."),
        Reply(content="You said hello before."),
    )
    terminal = _Terminal(["chat", "--base-url", server.base_url, "--system", "Be kind."], _env())
    try:
        terminal.expect("> ")
        terminal.send("hello")
        first = terminal.expect("How can I help?")
        terminal.expect("> ")
        terminal.send("what did I say?")
        terminal.expect("You said hello before.")
        terminal.expect("> ")
        terminal.send("/exit")
    finally:
        code = terminal.close()

    assert code == 0
    # On a terminal, the reasoning is dimmed.
    assert f"{DIM}A greeting." in first
    assert len(server.requests) == 2
    assert server.requests[1].json["messages"] == [
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "what did I say?"},
    ]


@posix_only
def test_interactive_chat_ends_on_eof_and_survives_api_errors(server: LightconeTestServer) -> None:
    server.enqueue(Fail(500, message="engine hiccup"), Reply(content="Recovered."))
    terminal = _Terminal(["chat", "--base-url", server.base_url, "--max-retries", "0"], _env(NO_COLOR="1"))
    try:
        terminal.expect("> ")
        terminal.send("first try")
        error = terminal.expect("engine hiccup")
        terminal.expect("> ")
        terminal.send("second try")
        answer = terminal.expect("Recovered.")
        terminal.expect("> ")
        os.write(terminal.master, b"\x04")  # Ctrl-D
    finally:
        code = terminal.close()

    assert code == 0
    assert "lightcone: error: API error 500 Internal Server Error: engine hiccup" in error
    assert "\x1b[" not in answer  # NO_COLOR
    # The message that got an error is not kept in the history.
    assert server.requests[1].json["messages"] == [{"role": "user", "content": "second try"}]


@posix_only
def test_no_color_turns_off_dimming_on_a_terminal(server: LightconeTestServer) -> None:
    colored = _Terminal(["chat", "hi", "--base-url", server.base_url], _env())
    try:
        colored_output = colored.expect(ANSWER)
    finally:
        assert colored.close() == 0
    plain = _Terminal(["chat", "hi", "--base-url", server.base_url], _env(NO_COLOR="1"))
    try:
        plain_output = plain.expect(ANSWER)
    finally:
        assert plain.close() == 0

    assert f"{DIM}{REASONING}" in colored_output
    assert REASONING in plain_output and "\x1b[" not in plain_output
