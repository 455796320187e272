"""Turns `create_completion` keyword arguments into the JSON body, checking them first. No I/O."""

from __future__ import annotations

from typing import Any, Dict, List, Sized, Mapping, Iterable, Optional, cast

from ._types import Omit, NotGiven
from ._json_body import check_extra_body, encode_json_body
from .types.chat_create_completion_params import BODY_FIELDS

__all__ = ["build_chat_completion_body", "encode_json_body", "check_extra_body"]

_BODY_FIELD_SET = frozenset(BODY_FIELDS)
_STRUCTURED_CONSTRAINTS = ("json", "regex", "choice", "grammar", "json_object", "structural_tag")


def build_chat_completion_body(params: Mapping[str, Any]) -> Dict[str, object]:
    """The request body for the given call arguments (the method's `locals()`), in wire order.

    Omitted arguments are left out, `None` stays `None` (JSON null). Raises `TypeError` /
    `ValueError` for input the server would reject, before anything is sent.
    """
    unknown = params.get("unknown_kwargs")
    if unknown:
        _raise_unknown(unknown)
    continue_final = params["continue_final_message"] is True
    body: Dict[str, object] = {}
    for name in BODY_FIELDS:
        value = params[name]
        if value.__class__ is Omit or value.__class__ is NotGiven:
            if name == "add_generation_prompt" and continue_final:
                # vLLM defaults add_generation_prompt to true, and then rejects continue_final_message.
                body[name] = False
            continue
        body[name] = value
    body["messages"] = _check_messages(body["messages"])
    _check_contradictions(body)
    extra_body = params.get("extra_body")
    if extra_body is not None:
        check_extra_body(extra_body)
    return body


def _raise_unknown(unknown: Mapping[str, object]) -> None:
    names = ", ".join(repr(name) for name in unknown)
    plural = "s" if len(unknown) > 1 else ""
    raise TypeError(
        f"create_completion() got unexpected keyword argument{plural} {names}. "
        "Check the spelling; to send a field this SDK does not know, pass it in "
        f"extra_body, e.g. extra_body={{{next(iter(unknown))!r}: ...}}."
    )


def _mapping(value: object) -> Optional[Mapping[str, Any]]:
    return cast(Mapping[str, Any], value) if isinstance(value, Mapping) else None


def _check_messages(messages: object) -> List[object]:
    kind = type(messages).__name__
    if isinstance(messages, (str, bytes, Mapping)) or not isinstance(messages, Iterable):
        raise TypeError(
            f'messages must be a list of message dicts such as [{{"role": "user", "content": "Hello"}}], got {kind}'
        )
    items = list(cast(Iterable[object], messages))
    if not items:
        raise ValueError('messages is empty: pass at least one message, e.g. [{"role": "user", "content": "Hello"}]')
    for index, message in enumerate(items):
        if not isinstance(message, Mapping) and not hasattr(message, "model_dump"):
            raise TypeError(
                f"messages[{index}] must be a dict such as "
                f'{{"role": "user", "content": "Hello"}}, got {type(message).__name__}'
            )
    return items


def _is_true(value: object) -> bool:
    return value is True


def _check_contradictions(body: Mapping[str, object]) -> None:
    stream = body.get("stream") is True
    if body.get("continue_final_message") is True and body.get("add_generation_prompt") is True:
        raise ValueError(
            "continue_final_message=True and add_generation_prompt=True contradict each other: "
            "the model either continues the last message or starts a new one. Drop add_generation_prompt."
        )
    if body.get("stream_options") is not None and not stream:
        raise ValueError("stream_options is only allowed with stream=True: set stream=True or drop stream_options.")
    prompt_logprobs = body.get("prompt_logprobs")
    if stream and prompt_logprobs is not None and prompt_logprobs != 0:
        raise ValueError(
            "prompt_logprobs cannot be used with stream=True: the server rejects it. "
            "Drop prompt_logprobs or make a non-streaming call."
        )
    top_logprobs = body.get("top_logprobs")
    if top_logprobs is not None and top_logprobs != 0 and not _is_true(body.get("logprobs")):
        raise ValueError("top_logprobs needs logprobs=True: set logprobs=True or drop top_logprobs.")
    _check_tools(body)
    _check_structured_outputs(body)
    n = body.get("n")
    if isinstance(n, int) and n > 1 and body.get("temperature") == 0:
        raise ValueError(
            "n > 1 with temperature=0 is rejected by the server (greedy sampling gives one answer): "
            "raise temperature or set n=1."
        )


def _check_tools(body: Mapping[str, object]) -> None:
    tools = body.get("tools")
    tool_choice = body.get("tool_choice")
    named_choice = _mapping(tool_choice)
    if isinstance(tools, Sized) and not isinstance(tools, (str, bytes)) and len(tools) == 0:
        raise ValueError("tools is an empty list, which the server rejects: leave tools out instead.")
    needs_tools = tool_choice == "required" or named_choice is not None
    if needs_tools and not tools:
        shown = "'required'" if tool_choice == "required" else "a named tool"
        raise ValueError(f"tool_choice={shown} needs tools: pass the tool definitions in tools, or drop tool_choice.")
    if named_choice is not None and isinstance(tools, (list, tuple)):
        function = _mapping(named_choice.get("function"))
        wanted = function.get("name") if function is not None else None
        names = [_tool_name(tool) for tool in cast(Iterable[object], tools)]
        if wanted is not None and wanted not in names:
            raise ValueError(
                f"tool_choice names the tool {wanted!r}, which is not among tools {names!r}: "
                "the server rejects it. Fix the name or add the tool."
            )


def _tool_name(tool: object) -> Optional[object]:
    tool_map = _mapping(tool)
    function = _mapping(tool_map.get("function")) if tool_map is not None else None
    return function.get("name") if function is not None else None


def _check_structured_outputs(body: Mapping[str, object]) -> None:
    constraints: List[str] = []
    structured = _mapping(body.get("structured_outputs"))
    if structured is not None:
        constraints = [
            f"structured_outputs[{key!r}]"
            for key in _STRUCTURED_CONSTRAINTS
            if structured.get(key) is not None and structured.get(key) is not False
        ]
        if not constraints:
            raise ValueError(
                "structured_outputs sets no constraint: give exactly one of "
                + ", ".join(_STRUCTURED_CONSTRAINTS)
                + " (the server rejects zero)."
            )
    response_format = _mapping(body.get("response_format"))
    if response_format is not None and response_format.get("type") not in (None, "text"):
        constraints.insert(0, f"response_format (type {response_format.get('type')!r})")
    if len(constraints) > 1:
        raise ValueError(
            f"{constraints[0]} and {constraints[1]} are both structured-output constraints; "
            "the server accepts exactly one. Keep one of them."
        )
    if constraints and _mapping(body.get("tool_choice")) is not None:
        raise ValueError(
            f"{constraints[0]} cannot be combined with a named tool_choice (the server rejects it): drop one of them."
        )
