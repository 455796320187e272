"""What a vLLM 0.33 server answers, built without I/O: request checks, bodies, chunks, errors."""

from __future__ import annotations

import re
import json
import time
import uuid
import zlib
from http import HTTPStatus
from typing import Any, Dict, List, Tuple, Union, Mapping, Callable, Optional, Sequence
from dataclasses import field, dataclass
from typing_extensions import Literal, TypeAlias, TypeGuard

from ._actions import Reply, LargeBody

__all__ = [
    "ReasoningField",
    "ChatRequest",
    "Completion",
    "Rejection",
    "error_body",
    "error_type",
    "check_chat_request",
    "plan_completion",
    "dumps",
]

ReasoningField: TypeAlias = Literal["reasoning", "reasoning_content", "both"]

VLLM_VERSION = "0.33.0"
SYSTEM_FINGERPRINT = f"vllm-{VLLM_VERSION}-7e57a11c"
EOS_TOKEN = "</s>"
EOS_TOKEN_ID = 2
ECHO_PREFIX = "Echo: "

# Statuses whose vLLM error `type` is a class-like name; other statuses use the HTTP phrase,
# as Starlette's HTTPException handler does.
_ERROR_TYPES = {
    400: "BadRequestError",
    404: "NotFoundError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
    500: "InternalServerError",
    501: "NotImplementedError",
    503: "ServiceUnavailableError",
}

_PIECES = re.compile(r"^\s+|\S+\s*")


def dumps(value: Any) -> bytes:
    """JSON as Starlette and pydantic write it: compact, UTF-8, no ASCII escaping."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_type(status: int) -> str:
    if status in _ERROR_TYPES:
        return _ERROR_TYPES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


def error_body(
    status: int, message: Optional[str] = None, type: Optional[str] = None, param: Optional[str] = None
) -> Dict[str, Any]:
    """vLLM's `ErrorResponse`: `{"error": {"message", "type", "param", "code"}}`."""
    return {
        "error": {
            "message": _phrase(status) if message is None else message,
            "type": error_type(status) if type is None else type,
            "param": param,
            "code": status,
        }
    }


def tokenize(text: str) -> List[str]:
    """Pseudo tokens: one per word with its trailing spaces; they concatenate back to `text`."""
    return _PIECES.findall(text)


def token_id(piece: str) -> int:
    if piece == EOS_TOKEN:
        return EOS_TOKEN_ID
    return 100 + zlib.crc32(piece.encode("utf-8")) % 150_000


def _logprob(piece: str) -> float:
    return -(zlib.crc32(piece.encode("utf-8")) % 5000) / 1000.0


def _logprob_entry(piece: str, top: int) -> Dict[str, Any]:
    value = _logprob(piece)
    alternatives = [(piece, value)] + [(f"{piece}~{rank}", value - 0.5 * rank) for rank in range(1, max(top, 0))]
    return {
        "token": piece,
        "logprob": value,
        "bytes": list(piece.encode("utf-8")),
        "top_logprobs": [
            {"token": token, "logprob": logprob, "bytes": list(token.encode("utf-8"))}
            for token, logprob in alternatives[: max(top, 0)]
        ],
    }


@dataclass
class Rejection:
    """An HTTP error answer decided before any generation."""

    status: int
    body: Any


@dataclass
class ChatRequest:
    """The parts of a chat completion request that shape the answer."""

    body: Dict[str, Any]
    request_id: str
    stream: bool
    n: int
    role: str
    include_usage: bool
    continuous_usage: bool
    return_token_ids: bool
    logprobs: bool
    top_logprobs: int
    prompt_logprobs: Optional[int]
    echo_prefix: Optional[str]
    max_tokens: Optional[int]
    last_user_text: str
    prompt_pieces: List[str]


def _is_object(value: object) -> TypeGuard[Dict[str, Any]]:
    return isinstance(value, dict)


def _is_array(value: object) -> TypeGuard[List[Any]]:
    return isinstance(value, list)


def _as_dict(value: object) -> Optional[Dict[str, Any]]:
    return value if _is_object(value) else None


def _as_list(value: object) -> Optional[List[Any]]:
    return value if _is_array(value) else None


def _message_text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    texts: List[str] = []
    for part in _as_list(content) or []:
        text = (_as_dict(part) or {}).get("text")
        if isinstance(text, str):
            texts.append(text)
    return "\n".join(texts)


def _pydantic_style(kind: str, loc: Tuple[Union[str, int], ...], msg: str, param: str) -> Rejection:
    # vLLM's RequestValidationError handler: "N validation error(s):\n  {error dict}".
    detail = {"type": kind, "loc": loc, "msg": msg}
    return Rejection(400, error_body(400, f"1 validation error:\n  {detail}", "Bad Request", param))


def _invalid(message: str, parameter: str, value: Any = None) -> Rejection:
    # A `VLLMValidationError` raised by a request validator (0.33).
    extras = [f"parameter={parameter}"]
    if value is not None:
        extras.append(f"value={value}")
    return Rejection(400, error_body(400, f"{message} ({', '.join(extras)})", "BadRequestError", parameter))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_FIELD_TYPES: Dict[str, Tuple[str, Callable[[Any], bool]]] = {
    "stream": ("bool", lambda v: isinstance(v, bool)),
    "n": ("int", _is_int),
    "max_tokens": ("int", _is_int),
    "max_completion_tokens": ("int", _is_int),
    "temperature": ("float", _is_number),
    "top_p": ("float", _is_number),
    "logprobs": ("bool", lambda v: isinstance(v, bool)),
    "top_logprobs": ("int", _is_int),
    "prompt_logprobs": ("int", _is_int),
    "return_token_ids": ("bool", lambda v: isinstance(v, bool)),
    "echo": ("bool", lambda v: isinstance(v, bool)),
    "add_generation_prompt": ("bool", lambda v: isinstance(v, bool)),
    "continue_final_message": ("bool", lambda v: isinstance(v, bool)),
    "stream_options": ("dict", lambda v: isinstance(v, dict)),
    "tools": ("list", lambda v: isinstance(v, list)),
    "request_id": ("str", lambda v: isinstance(v, str)),
}


def _check_types(body: Dict[str, Any]) -> Optional[Rejection]:
    if "messages" not in body:
        return _pydantic_style("missing", ("body", "messages"), "Field required", "body.messages")
    messages = _as_list(body["messages"])
    if messages is None:
        return _pydantic_style("list_type", ("body", "messages"), "Input should be a valid list", "body.messages")
    for index, message in enumerate(messages):
        if not isinstance((_as_dict(message) or {}).get("role"), str):
            return _pydantic_style(
                "missing", ("body", "messages", index, "role"), "Field required", f"body.messages.{index}.role"
            )
    for name, (kind, accepts) in _FIELD_TYPES.items():
        value = body.get(name)
        if value is not None and not accepts(value):
            return _pydantic_style(f"{kind}_type", ("body", name), f"Input should be a valid {kind}", f"body.{name}")
    return None


def _check_rules(body: Dict[str, Any]) -> Optional[Rejection]:
    """The request validators of vLLM's `ChatCompletionRequest` and `SamplingParams`."""
    stream = bool(body.get("stream"))
    if body.get("stream_options") is not None and not stream:
        return _invalid("Stream options can only be defined when `stream=True`.", "stream_options")
    top_logprobs = body.get("top_logprobs")
    if top_logprobs is not None and (top_logprobs > 0 or top_logprobs == -1) and not body.get("logprobs"):
        return _invalid("when using `top_logprobs`, `logprobs` must be set to true.", "top_logprobs", top_logprobs)
    if top_logprobs is not None and top_logprobs < -1:
        return _invalid("`top_logprobs` must be a positive value or -1.", "top_logprobs", top_logprobs)
    prompt_logprobs = body.get("prompt_logprobs")
    if prompt_logprobs is not None and (prompt_logprobs > 0 or prompt_logprobs == -1) and stream:
        return _invalid("`prompt_logprobs` are not available when `stream=True`.", "prompt_logprobs")
    if body.get("continue_final_message") and body.get("add_generation_prompt"):
        return _invalid(
            "Cannot set both `continue_final_message` and `add_generation_prompt` to True.", "continue_final_message"
        )
    tools = body.get("tools")
    if tools is not None and not tools:
        return _invalid("`tools` must not be an empty array.", "tools")
    tool_choice = body.get("tool_choice")
    if tool_choice not in (None, "none"):
        if not tools:
            return _invalid("When using `tool_choice`, `tools` must be set.", "tool_choice")
        named = _as_dict(tool_choice)
        if named is not None:
            name = (_as_dict(named.get("function")) or {}).get("name")
            names = {(_as_dict((_as_dict(tool) or {}).get("function")) or {}).get("name") for tool in tools}
            if name not in names:
                return _invalid(
                    "The tool specified in `tool_choice` does not match any of the specified `tools`", "tool_choice"
                )
    structured = _as_dict(body.get("structured_outputs"))
    if structured is not None:
        kinds = [kind for kind in ("json", "regex", "choice") if structured.get(kind) is not None]
        if len(kinds) > 1:
            return _invalid(
                "You can only use one kind of constraints for structured outputs ('json', 'regex' or 'choice').",
                "structured_outputs",
            )
    n = body.get("n")
    if n is not None and n < 1:
        return _invalid(f"n must be at least 1, got {n}.", "n", n)
    temperature = body.get("temperature")
    if n is not None and n > 1 and temperature == 0:
        return _invalid(f"n must be 1 when using greedy sampling, got {n}.", "n", n)
    if temperature is not None and not 0 <= temperature <= 2:
        return _invalid(f"temperature must be in [0, 2], got {temperature}.", "temperature", temperature)
    top_p = body.get("top_p")
    if top_p is not None and not 0 < top_p <= 1:
        return _invalid(f"top_p must be in (0, 1], got {top_p}.", "top_p", top_p)
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is not None and value < 1:
            return _invalid(f"{name} must be at least 1, got {value}.", name, value)
    if not body["messages"]:
        # vLLM does not check this itself; the chat template fails on an empty conversation.
        return Rejection(
            400, error_body(400, "The conversation is empty: `messages` has no entries.", "BadRequestError")
        )
    return None


def _prompt_pieces(messages: Sequence[Mapping[str, Any]], add_generation_prompt: bool) -> List[str]:
    pieces: List[str] = []
    for message in messages:
        pieces.append(f"<|{message['role']}|>")
        pieces.extend(tokenize(_message_text(message)))
    if add_generation_prompt:
        pieces.append("<|assistant|>")
    return pieces


def check_chat_request(
    *, content_type: Optional[str], body: bytes, request_id_header: Optional[str]
) -> Union[ChatRequest, Rejection]:
    """Accept a chat completion request the way vLLM's route does, or say why not (400)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        return Rejection(
            400, error_body(400, "Unsupported Media Type: Only 'application/json' is allowed", "Bad Request")
        )
    try:
        parsed: Any = json.loads(body)
    except ValueError as exc:
        return _pydantic_style("json_invalid", ("body", 0), f"JSON decode error ({exc})", "body")
    data = _as_dict(parsed)
    if data is None:
        return _pydantic_style("model_attributes_type", ("body",), "Input should be a valid dictionary", "body")
    rejection = _check_types(data) or _check_rules(data)
    if rejection is not None:
        return rejection

    messages: List[Dict[str, Any]] = data["messages"]
    add_generation_prompt = data.get("add_generation_prompt")
    add_generation_prompt = True if add_generation_prompt is None else add_generation_prompt
    role = "assistant" if add_generation_prompt else messages[-1]["role"]
    last = messages[-1]
    echo_prefix = _message_text(last) if data.get("echo") and last["role"] == role else None
    stream_options: Dict[str, Any] = data.get("stream_options") or {}
    include_usage = bool(stream_options.get("include_usage"))
    user_texts = [_message_text(message) for message in messages if message["role"] == "user"]
    max_tokens = data.get("max_completion_tokens")
    return ChatRequest(
        body=data,
        request_id=request_id_header or data.get("request_id") or uuid.uuid4().hex,
        stream=bool(data.get("stream")),
        n=data.get("n") or 1,
        role=role,
        include_usage=include_usage,
        continuous_usage=include_usage and bool(stream_options.get("continuous_usage_stats")),
        return_token_ids=bool(data.get("return_token_ids")),
        logprobs=bool(data.get("logprobs")),
        top_logprobs=data.get("top_logprobs") or 0,
        prompt_logprobs=data.get("prompt_logprobs"),
        echo_prefix=echo_prefix or None,
        max_tokens=max_tokens if max_tokens is not None else data.get("max_tokens"),
        last_user_text=user_texts[-1] if user_texts else "",
        prompt_pieces=_prompt_pieces(messages, add_generation_prompt),
    )


@dataclass
class _Step:
    """One engine step of one choice: the delta it streams and the tokens it produced."""

    delta: Dict[str, Any]
    tokens: List[str]
    finish_reason: Optional[str] = None
    stop_reason: Union[int, str, None] = None


@dataclass
class _ToolCallPlan:
    id: str
    name: str
    arguments: str
    pieces: List[str]


@dataclass
class Completion:
    """The planned answer to one request: every choice produces the same output."""

    request: ChatRequest
    model: str
    reasoning_field: ReasoningField
    content: Optional[List[str]]
    reasoning: Optional[List[str]]
    tool_calls: List[_ToolCallPlan]
    finish_reason: str
    stop_reason: Union[int, str, None]
    eos: bool
    usage_override: Optional[Mapping[str, Any]] = None
    role: Optional[str] = None
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def id(self) -> str:
        return f"chatcmpl-{self.request.request_id}"

    @property
    def answer_role(self) -> str:
        return self.role or self.request.role

    def steps(self) -> List[_Step]:
        """The steps of one choice, the last one carrying the finish reason."""
        steps: List[_Step] = []
        for piece in self.reasoning or []:
            steps.append(_Step(self._reasoning_delta(piece), [piece]))
        for piece in self.content or []:
            steps.append(_Step(self._with_mirror({"content": piece}), [piece]))
        for index, call in enumerate(self.tool_calls):
            first = {"id": call.id, "type": "function", "index": index, "function": {"name": call.name}}
            steps.append(_Step(self._with_mirror({"tool_calls": [first]}), [call.name]))
            for piece in call.pieces:
                fragment = {"index": index, "function": {"arguments": piece}}
                steps.append(_Step(self._with_mirror({"tool_calls": [fragment]}), [piece]))
        if self.eos or not steps:
            final_delta: Dict[str, Any] = {} if self.tool_calls or self.content is None else {"content": ""}
            steps.append(_Step(self._with_mirror(final_delta), [EOS_TOKEN] if self.eos else []))
        steps[-1].finish_reason = self.finish_reason
        steps[-1].stop_reason = self.stop_reason
        return steps

    def _reasoning_delta(self, piece: str) -> Dict[str, Any]:
        if self.reasoning_field == "reasoning":
            return {"reasoning": piece}
        if self.reasoning_field == "reasoning_content":
            return {"reasoning_content": piece}
        return {"reasoning": piece, "reasoning_content": piece}

    def _with_mirror(self, delta: Dict[str, Any]) -> Dict[str, Any]:
        # vLLM 0.11.1 to ~0.16 mirror `reasoning` as `reasoning_content` on every delta.
        if self.reasoning_field == "both":
            delta["reasoning_content"] = None
        return delta

    def _usage(self, steps: Sequence[_Step]) -> Dict[str, Any]:
        if self.usage_override is not None:
            return dict(self.usage_override)
        prompt = len(self.request.prompt_pieces)
        completion = sum(len(step.tokens) for step in steps) * self.request.n
        details = {"reasoning_tokens": len(self.reasoning) * self.request.n} if self.reasoning else None
        return {
            "prompt_tokens": prompt,
            "total_tokens": prompt + completion,
            "completion_tokens": completion,
            "prompt_tokens_details": None,
            "completion_tokens_details": details,
        }

    def body(self) -> Dict[str, Any]:
        """The non-streaming `ChatCompletionResponse`, every field present."""
        request = self.request
        steps = self.steps()
        tokens = [token for step in steps for token in step.tokens]
        content: Optional[str] = None if self.content is None else "".join(self.content)
        if request.echo_prefix is not None:
            content = request.echo_prefix + (content or "")
        message: Dict[str, Any] = {
            "role": self.answer_role,
            "content": content,
            "refusal": None,
            "annotations": None,
            "audio": None,
            "function_call": None,
        }
        if self.tool_calls:
            message["tool_calls"] = [
                {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
                for call in self.tool_calls
            ]
        reasoning = None if self.reasoning is None else "".join(self.reasoning)
        if self.reasoning_field in ("reasoning", "both"):
            message["reasoning"] = reasoning
        if self.reasoning_field in ("reasoning_content", "both"):
            message["reasoning_content"] = reasoning
        choices = [
            {
                "index": index,
                "message": dict(message),
                "logprobs": (
                    {"content": [_logprob_entry(token, request.top_logprobs) for token in tokens]}
                    if request.logprobs
                    else None
                ),
                "finish_reason": self.finish_reason,
                "stop_reason": self.stop_reason,
                "token_ids": [token_id(token) for token in tokens] if request.return_token_ids else None,
                "routed_experts": None,
                "weight_versions": None,
            }
            for index in range(request.n)
        ]
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": choices,
            "service_tier": None,
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "usage": self._usage(steps),
            "prompt_logprobs": self._prompt_logprobs(),
            "prompt_token_ids": (
                [token_id(piece) for piece in request.prompt_pieces] if request.return_token_ids else None
            ),
            "prompt_text": None,
            "kv_transfer_params": None,
            "ec_transfer_params": None,
            "metrics": None,
        }

    def _prompt_logprobs(self) -> Optional[List[Optional[Dict[str, Any]]]]:
        wanted = self.request.prompt_logprobs
        if wanted is None or wanted == 0:
            return None
        entries: List[Optional[Dict[str, Any]]] = [None]
        for piece in self.request.prompt_pieces[1:]:
            entries.append({str(token_id(piece)): {"logprob": _logprob(piece), "rank": 1, "decoded_token": piece}})
        return entries

    def _chunk(self, choices: List[Dict[str, Any]], **extra: Any) -> Dict[str, Any]:
        chunk: Dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": choices,
        }
        chunk.update(extra)
        return chunk

    def _running_usage(self, completion_tokens: int) -> Dict[str, Any]:
        prompt = len(self.request.prompt_pieces)
        return {
            "prompt_tokens": prompt,
            "total_tokens": prompt + completion_tokens,
            "completion_tokens": completion_tokens,
            "completion_tokens_details": None,
        }

    def chunks(self) -> List[Dict[str, Any]]:
        """The `data:` objects of the stream, in vLLM's order, without the final `[DONE]`."""
        request = self.request
        n = request.n
        chunks: List[Dict[str, Any]] = []
        continuous = request.continuous_usage
        choice: Dict[str, Any]
        extra: Dict[str, Any]
        for index in range(n):
            extra = {}
            if continuous:
                extra["usage"] = self._running_usage(0)
            extra["prompt_token_ids"] = (
                [token_id(piece) for piece in request.prompt_pieces] if request.return_token_ids else None
            )
            extra["prompt_text"] = None
            role_delta = self._with_mirror({"role": self.answer_role, "content": ""})
            choice = {"index": index, "delta": role_delta, "logprobs": None, "finish_reason": None}
            chunks.append(self._chunk([choice], **extra))
        if request.echo_prefix:
            for index in range(n):
                choice = {
                    "index": index,
                    "delta": self._with_mirror({"content": request.echo_prefix}),
                    "logprobs": None,
                    "finish_reason": None,
                }
                extra = {"usage": self._running_usage(0)} if continuous else {}
                chunks.append(self._chunk([choice], **extra))
        steps = self.steps()
        produced = [0] * n
        for step in steps:
            for index in range(n):
                produced[index] += len(step.tokens)
                choice = {
                    "index": index,
                    "delta": dict(step.delta),
                    "logprobs": (
                        {"content": [_logprob_entry(token, request.top_logprobs) for token in step.tokens]}
                        if request.logprobs
                        else None
                    ),
                    "finish_reason": step.finish_reason,
                }
                if step.finish_reason is not None:
                    choice["stop_reason"] = step.stop_reason
                choice["token_ids"] = [token_id(token) for token in step.tokens] if request.return_token_ids else None
                extra = {}
                if continuous:
                    extra["usage"] = self._running_usage(produced[index])
                if step.finish_reason is not None and not request.include_usage:
                    extra["system_fingerprint"] = SYSTEM_FINGERPRINT
                chunks.append(self._chunk([choice], **extra))
        if request.include_usage:
            usage = self._usage(steps)
            if self.usage_override is None:
                usage = {key: value for key, value in usage.items() if value is not None}
            chunks.append(self._chunk([], usage=usage, system_fingerprint=SYSTEM_FINGERPRINT))
        return chunks


def plan_completion(
    request: ChatRequest,
    reply: Union[Reply, LargeBody, None],
    *,
    model: str,
    reasoning_field: ReasoningField,
) -> Completion:
    """Decide what the answer to `request` contains: the echo reply, a scripted one, or a large one."""
    if isinstance(reply, LargeBody):
        text = "x" * reply.size
        size = max(reply.chunk_size, 1)
        pieces = [text[start : start + size] for start in range(0, len(text), size)]
        return Completion(request, model, reasoning_field, pieces, None, [], "stop", None, eos=True)
    if reply is None:
        pieces = tokenize(ECHO_PREFIX + request.last_user_text)
        limit = request.max_tokens
        if limit is not None and len(pieces) > limit:
            return Completion(request, model, reasoning_field, pieces[:limit], None, [], "length", None, eos=False)
        return Completion(request, model, reasoning_field, pieces, None, [], "stop", None, eos=True)
    if reply.chunks is not None:
        content: Optional[List[str]] = list(reply.chunks)
    else:
        content = None if reply.content is None else tokenize(reply.content) or [""]
    tool_calls: List[_ToolCallPlan] = []
    for call in reply.tool_calls:
        arguments = (
            call.arguments if isinstance(call.arguments, str) else json.dumps(dict(call.arguments), ensure_ascii=False)
        )
        tool_calls.append(
            _ToolCallPlan(
                id=call.id or f"chatcmpl-tool-{uuid.uuid4().hex}",
                name=call.name,
                arguments=arguments,
                pieces=tokenize(arguments),
            )
        )
    finish_reason = reply.finish_reason or ("tool_calls" if tool_calls else "stop")
    return Completion(
        request,
        model,
        reasoning_field,
        content,
        None if reply.reasoning is None else tokenize(reply.reasoning) or [""],
        tool_calls,
        finish_reason,
        reply.stop_reason,
        eos=finish_reason in ("stop", "tool_calls") and reply.stop_reason is None,
        usage_override=reply.usage,
        role=reply.role,
    )
