#!/usr/bin/env python3
"""Renders src/tzafon/resources/chat.py from one table of (name, annotation, description) per body field.

Usage:
    python scripts/gen_chat_resource.py           # rewrite src/tzafon/resources/chat.py
    python scripts/gen_chat_resource.py --check   # exit 1 if the checked-in file differs

`create_completion` takes 55 body fields and has three typing overloads, sync and async: eight copies
of the same signature and docstring. They are written once here. The annotations follow the spec
(nullable fields are `Optional[...]`); the descriptions are the spec's where it has one.
"""

from __future__ import annotations

import sys
import textwrap
from typing import List, Tuple
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "src" / "tzafon" / "resources" / "chat.py"

# (name, annotation, description), in wire order: `messages` first, then alphabetical.
FIELDS: Tuple[Tuple[str, str, str], ...] = (
    (
        "messages",
        "Iterable[ChatCompletionMessageParam]",
        "The conversation so far, oldest first. Each message is a dict: a system, developer, user, "
        "assistant, tool or function message, a message with a custom role, or a Harmony-format "
        "message. Must not be empty.",
    ),
    (
        "add_generation_prompt",
        "bool",
        "If true, the generation prompt will be added to the chat template. This is a parameter used "
        "by chat template in tokenizer config of the model.",
    ),
    (
        "add_special_tokens",
        "bool",
        "If true, special tokens (e.g. BOS) will be added to the prompt on top of what is added by the "
        "chat template. For most models, the chat template takes care of adding the special tokens so "
        "this should be set to false (as is the default).",
    ),
    (
        "allowed_token_ids",
        "Optional[Iterable[int]]",
        "If set, only these token ids can be generated.",
    ),
    (
        "bad_words",
        "SequenceNotStr[str]",
        "Words that must not be generated.",
    ),
    (
        "cache_salt",
        "Optional[str]",
        "If specified, the prefix cache will be salted with the provided string to prevent an attacker "
        "to guess prompts in multi-user environments. The salt should be random, protected from access "
        "by 3rd parties, and long enough to be unpredictable (e.g., 43 characters base64-encoded, "
        "corresponding to 256 bit).",
    ),
    (
        "chat_template",
        "Optional[str]",
        "A Jinja template to use for this conversion. As of transformers v4.44, default chat template "
        "is no longer allowed, so you must provide a chat template if the tokenizer does not define one.",
    ),
    (
        "chat_template_kwargs",
        "Optional[Dict[str, object]]",
        "Additional keyword args to pass to the template renderer. Will be accessible by the chat template.",
    ),
    (
        "continue_final_message",
        "bool",
        "If this is set, the chat will be formatted so that the final message in the chat is open-ended, "
        "without any EOS tokens. The model will continue this message rather than starting a new one. "
        'This allows you to "prefill" part of the model\'s response for it. Cannot be used at the same '
        "time as `add_generation_prompt`: when `add_generation_prompt` is left out, "
        "`add_generation_prompt: false` is sent with it.",
    ),
    (
        "documents",
        "Optional[Iterable[Dict[str, str]]]",
        "A list of dicts representing documents that will be accessible to the model if it is performing "
        "RAG (retrieval-augmented generation). If the template does not support RAG, this argument will "
        'have no effect. We recommend that each document should be a dict containing "title" and "text" keys.',
    ),
    (
        "echo",
        "bool",
        "If true, the new message will be prepended with the last message if they belong to the same role.",
    ),
    (
        "frequency_penalty",
        "Optional[float]",
        "Between -2.0 and 2.0. Positive values penalize tokens in proportion to how often they already "
        "appear in the output.",
    ),
    (
        "ignore_eos",
        "bool",
        "If true, generation goes on past the end-of-sequence token until another stop condition is met.",
    ),
    (
        "include_reasoning",
        "bool",
        "Whether the response carries the model's reasoning (on servers running a reasoning parser).",
    ),
    (
        "include_stop_str_in_output",
        "bool",
        "Whether the stop string that ended generation is kept at the end of the output.",
    ),
    (
        "kv_transfer_params",
        "Optional[Dict[str, object]]",
        "KVTransfer parameters used for disaggregated serving.",
    ),
    (
        "length_penalty",
        "float",
        "Beam search: penalizes (below 1.0) or favours (above 1.0) longer sequences.",
    ),
    (
        "logit_bias",
        "Optional[Dict[str, float]]",
        "Maps token ids (as strings) to a bias between -100 and 100 that is added to their logits before sampling.",
    ),
    (
        "logits_processors",
        "Optional[SequenceNotStr[LogitsProcessorParam]]",
        "A list of either qualified names of logits processors, or constructor objects, to apply when "
        "sampling. A constructor is a JSON object with a required 'qualname' field specifying the "
        "qualified name of the processor class/factory, and optional 'args' and 'kwargs' fields "
        "containing positional and keyword arguments. For example: {'qualname': "
        "'my_module.MyLogitsProcessor', 'args': [1, 2], 'kwargs': {'param': 'value'}}.",
    ),
    (
        "logprobs",
        "Optional[bool]",
        "Whether to return the log probability of each generated token.",
    ),
    (
        "max_completion_tokens",
        "Optional[int]",
        "The maximum number of tokens to generate for each choice.",
    ),
    (
        "max_tokens",
        "Optional[int]",
        "Deprecated: use `max_completion_tokens`, which wins when both are set.",
    ),
    (
        "min_p",
        "Optional[float]",
        "Between 0 and 1: the minimum probability of a token, relative to the most likely one, for it to be sampled.",
    ),
    (
        "min_tokens",
        "int",
        "The minimum number of tokens to generate before an end-of-sequence token or a stop condition "
        "can end the output.",
    ),
    (
        "mm_processor_kwargs",
        "Optional[Dict[str, object]]",
        "Additional kwargs to pass to the HF processor.",
    ),
    (
        "model",
        "Optional[str]",
        "The served model (or LoRA adapter) to use. Servers hosting a single model accept it left out.",
    ),
    (
        "n",
        "Optional[int]",
        "How many choices to generate. More than one needs a `temperature` above 0.",
    ),
    (
        "parallel_tool_calls",
        "Optional[bool]",
        "Whether the model may call several tools in one turn; if false, only the first call is kept.",
    ),
    (
        "presence_penalty",
        "Optional[float]",
        "Between -2.0 and 2.0. Positive values penalize tokens that already appear in the output.",
    ),
    (
        "priority",
        "int",
        "The priority of the request (lower means earlier handling; default: 0). Any priority other "
        "than 0 will raise an error if the served model does not use priority scheduling.",
    ),
    (
        "prompt_logprobs",
        "Optional[int]",
        "How many log probabilities to return for each prompt token. Cannot be used with `stream=True`.",
    ),
    (
        "reasoning_effort",
        'Optional[Literal["low", "medium", "high"]]',
        'How much a reasoning model thinks before answering: "low", "medium" or "high".',
    ),
    (
        "repetition_penalty",
        "Optional[float]",
        "Penalizes tokens that already appear in the prompt or the output: above 1.0 discourages "
        "repetition, below 1.0 encourages it.",
    ),
    (
        "request_id",
        "str",
        "The request_id related to this request. If the caller does not set it, a random_uuid will be "
        "generated. This id is used through out the inference process and return in response.",
    ),
    (
        "response_format",
        "Optional[ResponseFormatParam]",
        "The format the output must follow: text, any JSON object, a JSON schema, or a structural tag.",
    ),
    (
        "return_token_ids",
        "Optional[bool]",
        "If specified, the result will include token IDs alongside the generated text. In streaming "
        "mode, prompt_token_ids is included only in the first chunk, and token_ids contains the delta "
        "tokens for each chunk. This is useful for debugging or when you need to map generated text "
        "back to input tokens.",
    ),
    (
        "return_tokens_as_token_ids",
        "Optional[bool]",
        "If specified with 'logprobs', tokens are represented as strings of the form "
        "'token_id:{token_id}' so that tokens that are not JSON-encodable can be identified.",
    ),
    (
        "seed",
        "Optional[int]",
        "The random seed used for sampling, for repeatable output.",
    ),
    (
        "skip_special_tokens",
        "bool",
        "Whether special tokens are left out of the output text.",
    ),
    (
        "spaces_between_special_tokens",
        "bool",
        "Whether spaces are put between special tokens in the output text.",
    ),
    (
        "stop",
        "Union[str, SequenceNotStr[str], None]",
        "A string, or a list of strings, that ends generation when it is produced.",
    ),
    (
        "stop_token_ids",
        "Optional[Iterable[int]]",
        "Token ids that end generation when one of them is produced.",
    ),
    (
        "stream",
        "Optional[bool]",
        "If true, the completion is sent back piece by piece as it is generated, and this method "
        "returns a `Stream` of `ChatCompletionChunk`s instead of a `ChatCompletion`.",
    ),
    (
        "stream_options",
        "Optional[ChatCompletionStreamOptionsParam]",
        "Options for a streaming response (`include_usage`, `continuous_usage_stats`). Only with `stream=True`.",
    ),
    (
        "structured_outputs",
        "Optional[StructuredOutputsParam]",
        "Additional kwargs for structured outputs: exactly one constraint among `json`, `regex`, "
        "`choice`, `grammar`, `json_object` and `structural_tag`.",
    ),
    (
        "temperature",
        "Optional[float]",
        "The sampling temperature: 0 always picks the most likely token, higher values give more varied output.",
    ),
    (
        "tool_choice",
        "Optional[ChatCompletionToolChoiceOptionParam]",
        'Which tool the model calls: "none", "auto", "required", or a named function '
        '(`{"type": "function", "function": {"name": ...}}`). "required" and a named function need `tools`.',
    ),
    (
        "tools",
        "Optional[Iterable[ChatCompletionToolParam]]",
        "The functions the model may call. Leave it out rather than passing an empty list.",
    ),
    (
        "top_k",
        "Optional[int]",
        "Sample only from the k most likely tokens; -1 or 0 means all of them.",
    ),
    (
        "top_logprobs",
        "Optional[int]",
        "How many of the most likely tokens to return, with their log probabilities, at each position. "
        "Needs `logprobs=True`.",
    ),
    (
        "top_p",
        "Optional[float]",
        "Nucleus sampling: sample only from the most likely tokens whose probabilities add up to `top_p`.",
    ),
    (
        "truncate_prompt_tokens",
        "Optional[int]",
        "If set, only the last this-many prompt tokens are kept; -1 keeps as many as the model allows.",
    ),
    (
        "use_beam_search",
        "bool",
        "Whether to use beam search instead of sampling.",
    ),
    (
        "user",
        "Optional[str]",
        "An identifier of the end user, passed on to the server.",
    ),
    (
        "vllm_xargs",
        "Optional[VllmXargsParam]",
        "Additional request parameters with (list of) string or numeric values, used by custom extensions.",
    ),
)

# The per-request options every method takes after the body fields.
OPTIONS: Tuple[Tuple[str, str, str], ...] = (
    ("extra_headers", "Headers | None = None", "Headers to send with this request, on top of the client's."),
    ("extra_query", "Query | None = None", "Query parameters to add to the URL of this request."),
    (
        "extra_body",
        "Body | None = None",
        "JSON fields to add to the body, for fields this SDK does not know. They win over the arguments above.",
    ),
    (
        "timeout",
        "float | httpx.Timeout | None | NotGiven = not_given",
        "The timeout for this request, in seconds, instead of the client's. `None` means no timeout.",
    ),
)

# Overloads: (annotation of `stream` with its default, sync return type, summary line).
OVERLOADS: Tuple[Tuple[str, str, str], ...] = (
    (
        "Optional[Literal[False]] | Omit = omit",
        "ChatCompletion",
        "Create a chat completion and return it whole once it is generated.",
    ),
    (
        "Literal[True]",
        "Stream[ChatCompletionChunk]",
        "Create a chat completion and stream it back, chunk by chunk, as it is generated.",
    ),
    (
        "bool",
        "ChatCompletion | Stream[ChatCompletionChunk]",
        "Create a chat completion, streamed back chunk by chunk if `stream` is true.",
    ),
)
IMPLEMENTATION = ("Optional[bool] | Omit = omit", "ChatCompletion | Stream[ChatCompletionChunk]")

HEADER = '''\
# File generated by scripts/gen_chat_resource.py from its table of fields: edit the table and rerun it.
"""`client.chat`: the chat completions resource (sync and async) and its raw and streaming-response views."""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Type,
    Union,
    TypeVar,
    Iterable,
    Iterator,
    Optional,
    Sequence,
    Awaitable,
    AsyncIterator,
    cast,
    overload,
)
from functools import cached_property
from typing_extensions import Literal

import httpx

from .._types import Body, Omit, Query, Headers, NotGiven, SequenceNotStr, omit, not_given
from .._request import build_chat_completion_body
from .._resource import SyncAPIResource, AsyncAPIResource
from .._response import (
    to_raw_response_wrapper,
    to_streamed_response_wrapper,
    async_to_raw_response_wrapper,
    async_to_streamed_response_wrapper,
)
from .._streaming import Stream, AsyncStream
from .._base_client import make_request_options
from ..types.chat_completion import ChatCompletion
from ..types.vllm_xargs_param import VllmXargsParam
from ..types.chat_completion_chunk import ChatCompletionChunk
from ..types.response_format_param import ResponseFormatParam
from ..types.logits_processor_param import LogitsProcessorParam
from ..types.parsed_chat_completion import ParsedChatCompletion
from ..types.structured_outputs_param import StructuredOutputsParam
from ..types.chat_completion_tool_param import ChatCompletionToolParam
from ..types.chat_completion_message_param import ChatCompletionMessageParam
from ..types.chat_completion_stream_options_param import ChatCompletionStreamOptionsParam
from ..types.chat_completion_tool_choice_option_param import ChatCompletionToolChoiceOptionParam

if TYPE_CHECKING:
    from ..lib._tools import FunctionTool
    from ..lib._runner import (
        Turn,
        TurnCallback,
        ChunkCallback,
        ToolRunResult,
        AsyncTurnCallback,
        AsyncChunkCallback,
    )

__all__ = ["ChatResource", "AsyncChatResource"]

ResponseFormatT = TypeVar("ResponseFormatT")

# Built once: subscripting a generic class creates a new alias object on every call.
_CHUNK_STREAM = Stream[ChatCompletionChunk]
_ASYNC_CHUNK_STREAM = AsyncStream[ChatCompletionChunk]
_PARSE_SKIPPED = {parse_skipped!r}
'''

WRAPPERS = '''

class ChatResourceWithRawResponse:
    """`client.chat.with_raw_response`: the same methods, returning the raw HTTP response."""

    def __init__(self, chat: ChatResource) -> None:
        self._chat = chat
        self.create_completion = to_raw_response_wrapper(chat.create_completion)


class AsyncChatResourceWithRawResponse:
    """`client.chat.with_raw_response` of the async client."""

    def __init__(self, chat: AsyncChatResource) -> None:
        self._chat = chat
        self.create_completion = async_to_raw_response_wrapper(chat.create_completion)


class ChatResourceWithStreamingResponse:
    """`client.chat.with_streaming_response`: the same methods, reading the body only on demand."""

    def __init__(self, chat: ChatResource) -> None:
        self._chat = chat
        self.create_completion = to_streamed_response_wrapper(chat.create_completion)


class AsyncChatResourceWithStreamingResponse:
    """`client.chat.with_streaming_response` of the async client."""

    def __init__(self, chat: AsyncChatResource) -> None:
        self._chat = chat
        self.create_completion = async_to_streamed_response_wrapper(chat.create_completion)
'''

RESOURCE_CLASS = '''

class {prefix}ChatResource({prefix_base}APIResource):
    """Chat completions: `client.chat.create_completion(...)`."""

    @cached_property
    def with_raw_response(self) -> {prefix}ChatResourceWithRawResponse:
        """Prefix a method call with this to get the raw response (headers, status) instead of the parsed result.

        `.parse()` on what it returns gives what the plain call would have returned.
        """
        return {prefix}ChatResourceWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> {prefix}ChatResourceWithStreamingResponse:
        """Like `.with_raw_response`, but the body is read only when asked for; use the result as a context manager."""
        return {prefix}ChatResourceWithStreamingResponse(self)
'''

IMPLEMENTATION_BODY = """\
        body = build_chat_completion_body(locals())
        # `_post` returns whatever `cast_to`/`stream_cls` say; its own signature cannot express that.
        return cast(
            "{returns}",
            {await_}self._post(
                "/chat/completions",
                body=body,
                options=make_request_options(
                    extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
                ),
                cast_to=ChatCompletion,
                stream=body.get("stream") is True,
                stream_cls={stream_cls},
            ),
        )
"""


# `parse` sends everything `create_completion` does, except what it sets itself.
PARSE_SKIPPED = ("stream", "stream_options", "response_format", "structured_outputs")

PARSE_BODY = """\
        from ..lib._parsing import parse_completion
        from ..lib._structured import build_parse_request

        params: Dict[str, object] = {{**locals(), **{{name: omit for name in _PARSE_SKIPPED}}}}
        params.update(
            build_parse_request(
                response_format, use_structured_outputs=use_structured_outputs, strict_schema=strict_schema
            )
        )
        body = build_chat_completion_body(params)
        completion = cast(
            ChatCompletion,
            {await_}self._post(
                "/chat/completions",
                body=body,
                options=make_request_options(
                    extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
                ),
                cast_to=ChatCompletion,
            ),
        )
        return parse_completion(completion, response_format)
"""

PARSE_DOC = """\
        \"\"\"Create a chat completion constrained to `response_format`, and parse it into that type.

        `response_format` is a pydantic model, a dataclass or a `TypedDict`. Its JSON schema is sent
        as `response_format={{"type": "json_schema", ...}}`, or as `structured_outputs={{"json": ...}}`
        with `use_structured_outputs=True`; `strict_schema=True` also forbids extra properties and
        requires every property. Each `choices[i].message.parsed` holds the validated object.

        Raises (all `tzafon.lib.ParseError`, carrying the raw completion): `LengthFinishReasonError`
        when generation hit the token limit, `RefusalError` when the model refused,
        `InvalidJSONError` when the content is not JSON, `SchemaValidationError` when it does not
        validate. The other arguments are those of `create_completion`.
        \"\"\"
"""

TOOLS_METHODS = """
    def run_tools(
        self,
        *,
        messages: Iterable[ChatCompletionMessageParam],
        tools: Sequence[FunctionTool[Any, Any]],
        max_turns: int = 10,
        stream: bool = False,
        on_turn: Optional[{turn_callback}] = None,
        on_chunk: Optional[{chunk_callback}] = None,
        **create_kwargs: Any,
    ) -> {awaitable_open}ToolRunResult{awaitable_close}:
        \"\"\"Let the model call `tools` (made with `tzafon.function_tool`) until it answers.

        Runs the model, executes the tool calls it asks for ({concurrency}), appends the results,
        and repeats until an answer without tool calls or `max_turns` model calls. Tool errors go
        back to the model as tool results instead of being raised. `on_turn` sees every turn;
        `stream=True` streams each model call to `on_chunk`. Other keyword arguments go to every
        `create_completion` call. See `tzafon.lib.{runner}`.
        \"\"\"
        from ..lib._runner import {runner}

        return {runner}(
            self._client,
            messages=messages,
            tools=tools,
            max_turns=max_turns,
            stream=stream,
            on_turn=on_turn,
            on_chunk=on_chunk,
            **create_kwargs,
        )

    def iter_tool_turns(
        self,
        *,
        messages: Iterable[ChatCompletionMessageParam],
        tools: Sequence[FunctionTool[Any, Any]],
        max_turns: int = 10,
        stream: bool = False,
        on_chunk: Optional[{chunk_callback}] = None,
        **create_kwargs: Any,
    ) -> {iterator}[Turn]:
        \"\"\"Like `run_tools`, but yields each `Turn` as soon as its tools have run.\"\"\"
        from ..lib._runner import {turns}

        return {turns}(
            self._client,
            messages=messages,
            tools=tools,
            max_turns=max_turns,
            stream=stream,
            on_chunk=on_chunk,
            **create_kwargs,
        )
"""


def _parse_parameters() -> List[str]:
    lines = ["        self,", "        *,"]
    for name, annotation, _ in FIELDS:
        if name == "messages":
            lines.append(f"        {name}: {annotation},")
            lines.append("        response_format: Type[ResponseFormatT],")
            lines.append("        use_structured_outputs: bool = False,")
            lines.append("        strict_schema: bool = False,")
        elif name not in PARSE_SKIPPED:
            lines.append(f"        {name}: {annotation} | Omit = omit,")
    lines.extend(f"        {name}: {annotation}," for name, annotation, _ in OPTIONS)
    return lines


def _parameters(stream_annotation: str, *, unknown_kwargs: bool) -> List[str]:
    lines = ["        self,", "        *,"]
    for name, annotation, _ in FIELDS:
        if name == "messages":
            lines.append(f"        {name}: {annotation},")
        elif name == "stream":
            lines.append(f"        stream: {stream_annotation},")
        else:
            lines.append(f"        {name}: {annotation} | Omit = omit,")
    lines.append("        # Use these for what the arguments above cannot express; they win over everything else.")
    lines.extend(f"        {name}: {annotation}," for name, annotation, _ in OPTIONS)
    if unknown_kwargs:
        # Only the implementation takes them, so type checkers reject unknown keywords at the call site.
        lines.append("        **unknown_kwargs: object,")
    return lines


def _docstring(summary: str) -> List[str]:
    lines = [f'        """{summary}', "", "        Args:"]
    for name, _, description in FIELDS + OPTIONS:
        wrapped = textwrap.wrap(
            f"{name}: {description}",
            width=110,
            initial_indent="          ",
            subsequent_indent="              ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines.extend(wrapped)
        lines.append("")
    lines[-1] = '        """'
    return lines


def _resource(*, is_async: bool) -> List[str]:
    prefix = "Async" if is_async else ""
    def_ = "async def" if is_async else "def"
    stream_type = "AsyncStream" if is_async else "Stream"
    lines = RESOURCE_CLASS.format(prefix=prefix, prefix_base="Async" if is_async else "Sync").splitlines()
    for stream_annotation, returns, summary in OVERLOADS:
        returns = returns.replace("Stream[", f"{stream_type}[")
        lines += ["", "    @overload", f"    {def_} create_completion("]
        lines += _parameters(stream_annotation, unknown_kwargs=False)
        lines.append(f"    ) -> {returns}:")
        lines += _docstring(summary)
        lines.append("        ...")
    stream_annotation, returns = IMPLEMENTATION
    returns = returns.replace("Stream[", f"{stream_type}[")
    lines += ["", f"    {def_} create_completion("]
    lines += _parameters(stream_annotation, unknown_kwargs=True)
    lines.append(f"    ) -> {returns}:")
    lines += IMPLEMENTATION_BODY.format(
        returns=returns,
        await_="await " if is_async else "",
        stream_cls="_ASYNC_CHUNK_STREAM" if is_async else "_CHUNK_STREAM",
    ).splitlines()
    lines += ["", f"    {def_} parse("]
    lines += _parse_parameters()
    lines.append("    ) -> ParsedChatCompletion[ResponseFormatT]:")
    lines += PARSE_DOC.format().splitlines()
    lines += PARSE_BODY.format(await_="await " if is_async else "").splitlines()
    lines += TOOLS_METHODS.format(
        turn_callback="AsyncTurnCallback" if is_async else "TurnCallback",
        chunk_callback="AsyncChunkCallback" if is_async else "ChunkCallback",
        awaitable_open="Awaitable[" if is_async else "",
        awaitable_close="]" if is_async else "",
        concurrency="concurrently within a turn" if is_async else "in order",
        runner="arun_tools" if is_async else "run_tools",
        iterator="AsyncIterator" if is_async else "Iterator",
        turns="aiter_tool_turns" if is_async else "iter_tool_turns",
    ).splitlines()
    return lines


def render() -> str:
    """The full text of src/tzafon/resources/chat.py."""
    skipped = "(" + ", ".join(f'"{name}"' for name in PARSE_SKIPPED) + ")"
    lines = HEADER.replace("{parse_skipped!r}", skipped).splitlines()
    lines += _resource(is_async=False)
    lines += _resource(is_async=True)
    lines += WRAPPERS.splitlines()
    return "\n".join(lines) + "\n"


def main(argv: List[str]) -> int:
    text = render()
    if argv[1:] == ["--check"]:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is out of date: run python scripts/gen_chat_resource.py", file=sys.stderr)
            return 1
        return 0
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
