"""The `lightcone` command line: chat with a Lightcone (vLLM) model from a terminal or a script."""

from __future__ import annotations

import os
import sys
import argparse
import importlib
from typing import IO, TYPE_CHECKING, Any, Dict, List, Tuple, Optional, Sequence, cast

if TYPE_CHECKING:
    from .._client import Lightcone
    from .._exceptions import APIError
    from ..types.chat_completion import ChatCompletion
    from ..types.chat_completion_chunk import ChatCompletionChunk
    from ..types.chat_completion_message_param import ChatCompletionMessageParam

__all__ = ["main", "EXIT_OK", "EXIT_API_ERROR", "EXIT_USAGE", "EXIT_CONNECTION", "EXIT_CONFIG", "EXIT_INTERRUPTED"]

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_CONNECTION = 3
EXIT_CONFIG = 4
EXIT_INTERRUPTED = 130

_EXIT_CODES = f"""\
exit codes:
  {EXIT_OK}    success
  {EXIT_API_ERROR}    the API answered with an error (the status and the server's message are printed)
  {EXIT_USAGE}    usage error (bad option, no prompt)
  {EXIT_CONNECTION}    connection failure or timeout (the URL is printed)
  {EXIT_CONFIG}    missing or bad configuration (no API key: set TZAFON_API_KEY or pass --api-key)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
"""

_CHAT_DESCRIPTION = """\
Send a prompt and stream the answer to stdout as it arrives. The model's reasoning, when the
server returns any, goes to stderr (dimmed on a terminal, unless NO_COLOR is set).

The prompt is the argument; without one, it is read from stdin when stdin is not a terminal
(`echo hi | lightcone chat`). With neither, an interactive chat starts: type a message after
`> `, `/exit` or Ctrl-D quits; the conversation is kept between turns.

The API key comes from --api-key, else TZAFON_API_KEY; the server from --base-url, else
LIGHTCONE_BASE_URL, else https://api.tzafon.ai.
"""

_DIM = "\x1b[2m"
_RESET = "\x1b[0m"
_EXIT_COMMANDS = ("/exit", "/quit")


class _UsageError(Exception):
    """A problem with how the command was called (exit code 2)."""


class _Output:
    """Writes one streamed answer: content to stdout, reasoning to stderr (dimmed when it is a terminal)."""

    def __init__(self, stdout: IO[str], stderr: IO[str], *, color: bool) -> None:
        self._stdout = stdout
        self._stderr = stderr
        self._color = color
        self._content_tail = ""
        self._reasoning_tail: Optional[str] = None  # None: no reasoning block open

    def reasoning(self, text: str) -> None:
        if self._reasoning_tail is None and self._color:
            self._stderr.write(_DIM)
        self._stderr.write(text)
        self._stderr.flush()
        self._reasoning_tail = text[-1:]

    def content(self, text: str) -> None:
        self._close_reasoning()
        self._stdout.write(text)
        self._stdout.flush()
        self._content_tail = text[-1:]

    def end(self) -> None:
        """Finish the answer: close the reasoning block (and its colour), end the last line."""
        self._close_reasoning()
        if self._content_tail and self._content_tail != "\n":
            self._stdout.write("\n")
        self._stdout.flush()
        self._content_tail = ""

    def _close_reasoning(self) -> None:
        if self._reasoning_tail is None:
            return
        if self._color:
            self._stderr.write(_RESET)
        if self._reasoning_tail != "\n":
            self._stderr.write("\n")
        self._stderr.flush()
        self._reasoning_tail = None


def _build_parser() -> argparse.ArgumentParser:
    from .._version import __version__

    parser = argparse.ArgumentParser(
        prog="lightcone",
        description="Talk to the Lightcone API (chat completions served by vLLM).",
        epilog=_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lightcone (tzafon {__version__})")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    chat = commands.add_parser(
        "chat",
        help="send a prompt and stream the answer (interactive without a prompt)",
        description=_CHAT_DESCRIPTION,
        epilog=_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chat.add_argument("prompt", nargs="?", help="the message to send ('-' or nothing: read stdin)")
    chat.add_argument("-m", "--model", help="the model to use (default: the server's)")
    chat.add_argument("-s", "--system", help="a system message to start the conversation with")
    chat.add_argument("-t", "--temperature", type=float, help="sampling temperature")
    chat.add_argument("--max-tokens", type=_positive_int, metavar="N", help="the most tokens to generate")
    chat.add_argument("--json", action="store_true", help="wait for the whole completion and print it as JSON")
    chat.add_argument("--base-url", help="the API's base URL (default: LIGHTCONE_BASE_URL, else the Tzafon API)")
    chat.add_argument("--api-key", help="the API key (default: TZAFON_API_KEY)")
    chat.add_argument("--timeout", type=_positive_float, metavar="SECONDS", help="per-request timeout")
    chat.add_argument("--max-retries", type=_non_negative_int, metavar="N", help="retries of a failed request (2)")
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the `lightcone` command with `argv` (default: `sys.argv[1:]`); returns the exit code."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        # argparse exits by itself for --help, --version and usage errors.
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    _tolerant_output(sys.stdout)
    _tolerant_output(sys.stderr)
    try:
        return _chat(args, stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr)
    except _UsageError as exc:
        _error(sys.stderr, str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`lightcone chat ... | head`): stop quietly.
        _silence_stdout()
        return EXIT_OK


def _chat(args: argparse.Namespace, *, stdin: IO[str], stdout: IO[str], stderr: IO[str]) -> int:
    prompt: Optional[str] = args.prompt
    interactive = False
    if prompt is None or prompt == "-":
        if stdin.isatty():
            if prompt == "-":
                raise _UsageError("'-' reads the prompt from stdin, but stdin is a terminal")
            interactive = True
        else:
            prompt = stdin.read().strip()
            if not prompt:
                raise _UsageError("no prompt: pass it as an argument or on stdin")

    client = _make_client(args, stderr)
    if client is None:
        return EXIT_CONFIG
    color = stderr.isatty() and not os.environ.get("NO_COLOR")
    output = _Output(stdout, stderr, color=color)
    messages: List[ChatCompletionMessageParam] = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    with client:
        if not interactive:
            assert prompt is not None
            messages.append({"role": "user", "content": prompt})
            return _turn(client, args, messages, output, stdout, stderr)[0]
        return _interactive(client, args, messages, output, stdout, stderr)


def _interactive(
    client: Lightcone,
    args: argparse.Namespace,
    messages: List[ChatCompletionMessageParam],
    output: _Output,
    stdout: IO[str],
    stderr: IO[str],
) -> int:
    try:
        importlib.import_module("readline")  # line editing and history for input()
    except ImportError:
        pass
    stderr.write("Chatting with the model. /exit or Ctrl-D quits.\n")
    stderr.flush()
    while True:
        try:
            line = input("> ")
        except EOFError:
            stdout.write("\n")
            return EXIT_OK
        text = line.strip()
        if not text:
            continue
        if text in _EXIT_COMMANDS:
            return EXIT_OK
        messages.append({"role": "user", "content": text})
        code, answer = _turn(client, args, messages, output, stdout, stderr)
        if code == EXIT_OK:
            messages.append({"role": "assistant", "content": answer})
        else:
            messages.pop()  # forget the message that got no answer; the user can send it again


def _turn(
    client: Lightcone,
    args: argparse.Namespace,
    messages: List[ChatCompletionMessageParam],
    output: _Output,
    stdout: IO[str],
    stderr: IO[str],
) -> Tuple[int, str]:
    """Ask the model and print its answer; returns the exit code and the answer's text."""
    from .._exceptions import APIError, LightconeError

    params = _request_params(args)
    try:
        if args.json:
            # `params` hides from type checkers which overload applies: without `stream`, this one.
            completion = cast("ChatCompletion", client.chat.create_completion(messages=messages, **params))
            stdout.write(completion.to_json() + "\n")
            stdout.flush()
            choices = completion.choices
            return EXIT_OK, (choices[0].message.content or "") if choices else ""
        pieces: List[str] = []
        try:
            with client.chat.create_completion(messages=messages, stream=True, **params) as stream:
                for chunk in stream:
                    _show_chunk(chunk, output, pieces)
        finally:
            # Also on errors and Ctrl-C: the terminal must not stay dimmed, the error starts a line.
            output.end()
        return EXIT_OK, "".join(pieces)
    except APIError as exc:
        return _report_api_error(exc, stderr), ""
    except LightconeError as exc:
        _error(stderr, str(exc))
        return EXIT_API_ERROR, ""


def _show_chunk(chunk: ChatCompletionChunk, output: _Output, pieces: List[str]) -> None:
    for choice in chunk.choices:
        if choice.index != 0:
            continue
        delta = choice.delta
        if delta.reasoning:
            output.reasoning(delta.reasoning)
        if delta.content:
            output.content(delta.content)
            pieces.append(delta.content)


def _request_params(args: argparse.Namespace) -> Dict[str, Any]:
    params: Dict[str, Any] = {}
    if args.model is not None:
        params["model"] = args.model
    if args.temperature is not None:
        params["temperature"] = args.temperature
    if args.max_tokens is not None:
        params["max_completion_tokens"] = args.max_tokens
    return params


def _make_client(args: argparse.Namespace, stderr: IO[str]) -> Optional[Lightcone]:
    from .._client import Lightcone
    from .._constants import API_KEY_ENV
    from .._exceptions import LightconeError

    api_key = args.api_key or os.environ.get(API_KEY_ENV)
    if not api_key:
        _error(stderr, f"no API key: set the {API_KEY_ENV} environment variable or pass --api-key")
        return None
    options: Dict[str, Any] = {"api_key": api_key}
    if args.base_url is not None:
        options["base_url"] = args.base_url
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if args.max_retries is not None:
        options["max_retries"] = args.max_retries
    try:
        return Lightcone(**options)
    except LightconeError as exc:
        _error(stderr, str(exc))
        return None


def _report_api_error(exc: APIError, stderr: IO[str]) -> int:
    from .._exceptions import APIStatusError, APITimeoutError, APIConnectionError, error_message_from_body

    url = str(exc.request.url.copy_with(query=None))
    if isinstance(exc, APITimeoutError):
        _error(stderr, f"timed out talking to {url}: {exc.message}")
        return EXIT_CONNECTION
    if isinstance(exc, APIConnectionError):
        _error(stderr, exc.message if url in exc.message else f"connection to {url} failed: {exc.message}")
        return EXIT_CONNECTION
    if isinstance(exc, APIStatusError):
        reason = _reason_phrase(exc.status_code)
        status = f"{exc.status_code} {reason}".strip()
        message = error_message_from_body(exc.body)
        _error(stderr, f"API error {status}: {message}" if message and message != reason else f"API error {status}")
        return EXIT_API_ERROR
    _error(stderr, f"API error: {exc}")
    return EXIT_API_ERROR


def _reason_phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _error(stderr: IO[str], message: str) -> None:
    stderr.write(f"lightcone: error: {message}\n")
    stderr.flush()


def _tolerant_output(stream: IO[str]) -> None:
    """Never crash on a character the terminal's encoding cannot show."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
