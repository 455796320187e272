"""The request `TypedDict`s match the spec: keys, required keys, union members, wire order, Python 3.9 imports."""

import os
import shutil
import typing
import subprocess
import importlib.util
import typing_extensions
from typing import Dict, Tuple, FrozenSet
from pathlib import Path

import pytest

from tzafon.types import (
    vllm_xargs_param,
    json_schema_param,
    response_format_param,
    logits_processor_param,
    structured_outputs_param,
    function_definition_param,
    chat_completion_tool_param,
    chat_completion_message_param,
    chat_create_completion_params as params,
    structural_tag_structure_param,
    chat_completion_content_part_param,
    chat_completion_tool_message_param,
    chat_completion_user_message_param,
    logits_processor_constructor_param,
    chat_completion_harmony_author_param,
    chat_completion_stream_options_param,
    chat_completion_system_message_param,
    custom_chat_completion_message_param,
    structural_tag_response_format_param,
    chat_completion_harmony_message_param,
    chat_completion_response_format_param,
    custom_think_completion_content_param,
    chat_completion_function_message_param,
    chat_completion_assistant_message_param,
    chat_completion_content_part_file_param,
    chat_completion_content_part_text_param,
    chat_completion_developer_message_param,
    chat_completion_message_tool_call_param,
    chat_completion_named_tool_choice_param,
    chat_completion_content_part_audio_param,
    chat_completion_content_part_image_param,
    chat_completion_content_part_video_param,
    chat_completion_tool_choice_option_param,
    custom_chat_completion_message_tool_param,
    chat_completion_content_part_refusal_param,
    legacy_structural_tag_response_format_param,
    chat_completion_content_part_input_audio_param,
    chat_completion_message_custom_tool_call_param,
    chat_completion_content_part_audio_embeds_param,
    chat_completion_content_part_image_embeds_param,
    chat_completion_message_function_tool_call_param,
    custom_chat_completion_content_simple_audio_param,
    custom_chat_completion_content_simple_image_param,
    custom_chat_completion_content_simple_video_param,
)

TYPES_DIR = Path(params.__file__).parent
SRC_DIR = TYPES_DIR.parent.parent
PARAM_MODULES = sorted(
    f"tzafon.types.{path.stem}"
    for path in TYPES_DIR.glob("*.py")
    if path.stem.endswith("_param") or path.stem == "chat_create_completion_params"
)

# (TypedDict, required keys, optional keys), read off the TypeScript view of the spec: `x: T` is required, `x?: T`
# is not.
SHAPES = [
    (chat_completion_developer_message_param.ChatCompletionDeveloperMessageParam, {"content", "role"}, {"name"}),
    (chat_completion_system_message_param.ChatCompletionSystemMessageParam, {"content", "role"}, {"name"}),
    (chat_completion_user_message_param.ChatCompletionUserMessageParam, {"content", "role"}, {"name"}),
    (
        chat_completion_assistant_message_param.ChatCompletionAssistantMessageParam,
        {"role"},
        {"audio", "content", "function_call", "name", "refusal", "tool_calls"},
    ),
    (chat_completion_assistant_message_param.Audio, {"id"}, set()),
    (chat_completion_assistant_message_param.FunctionCall, {"arguments", "name"}, set()),
    (chat_completion_tool_message_param.ChatCompletionToolMessageParam, {"content", "role", "tool_call_id"}, set()),
    (chat_completion_function_message_param.ChatCompletionFunctionMessageParam, {"content", "name", "role"}, set()),
    (
        custom_chat_completion_message_param.CustomChatCompletionMessageParam,
        {"role"},
        {"content", "name", "reasoning", "tool_call_id", "tool_calls", "tools"},
    ),
    (
        chat_completion_harmony_message_param.ChatCompletionHarmonyMessageParam,
        {"author"},
        {"channel", "content", "content_type", "recipient"},
    ),
    (chat_completion_harmony_author_param.ChatCompletionHarmonyAuthorParam, {"role"}, {"name"}),
    (chat_completion_content_part_text_param.ChatCompletionContentPartTextParam, {"text", "type"}, set()),
    (chat_completion_content_part_image_param.ChatCompletionContentPartImageParam, {"image_url", "type"}, set()),
    (chat_completion_content_part_image_param.ImageURL, {"url"}, {"detail"}),
    (
        chat_completion_content_part_input_audio_param.ChatCompletionContentPartInputAudioParam,
        {"input_audio", "type"},
        set(),
    ),
    (chat_completion_content_part_input_audio_param.InputAudio, {"data", "format"}, set()),
    (chat_completion_content_part_file_param.ChatCompletionContentPartFileParam, {"file", "type"}, set()),
    (chat_completion_content_part_file_param.FileFile, set(), {"file_data", "file_id", "filename"}),
    (chat_completion_content_part_refusal_param.ChatCompletionContentPartRefusalParam, {"refusal", "type"}, set()),
    (chat_completion_content_part_audio_param.ChatCompletionContentPartAudioParam, {"audio_url", "type"}, set()),
    (chat_completion_content_part_audio_param.AudioURL, {"url"}, set()),
    (chat_completion_content_part_video_param.ChatCompletionContentPartVideoParam, {"type", "video_url"}, set()),
    (chat_completion_content_part_video_param.VideoURL, {"url"}, set()),
    (
        custom_chat_completion_content_simple_image_param.CustomChatCompletionContentSimpleImageParam,
        set(),
        {"image_url", "uuid"},
    ),
    (
        custom_chat_completion_content_simple_audio_param.CustomChatCompletionContentSimpleAudioParam,
        set(),
        {"audio_url"},
    ),
    (
        custom_chat_completion_content_simple_video_param.CustomChatCompletionContentSimpleVideoParam,
        set(),
        {"uuid", "video_url"},
    ),
    (
        chat_completion_content_part_image_embeds_param.ChatCompletionContentPartImageEmbedsParam,
        {"type"},
        {"image_embeds", "uuid"},
    ),
    (
        chat_completion_content_part_audio_embeds_param.ChatCompletionContentPartAudioEmbedsParam,
        {"type"},
        {"audio_embeds", "uuid"},
    ),
    (custom_think_completion_content_param.CustomThinkCompletionContentParam, {"thinking", "type"}, {"closed"}),
    (
        chat_completion_message_function_tool_call_param.ChatCompletionMessageFunctionToolCallParam,
        {"id", "function", "type"},
        set(),
    ),
    (chat_completion_message_function_tool_call_param.Function, {"arguments", "name"}, set()),
    (
        chat_completion_message_custom_tool_call_param.ChatCompletionMessageCustomToolCallParam,
        {"id", "custom", "type"},
        set(),
    ),
    (chat_completion_message_custom_tool_call_param.Custom, {"input", "name"}, set()),
    (chat_completion_tool_param.ChatCompletionToolParam, {"function"}, {"type"}),
    (function_definition_param.FunctionDefinitionParam, {"name"}, {"description", "parameters"}),
    (custom_chat_completion_message_tool_param.CustomChatCompletionMessageToolParam, {"function", "type"}, set()),
    (custom_chat_completion_message_tool_param.Function, {"name"}, {"description", "parameters", "strict"}),
    (chat_completion_named_tool_choice_param.ChatCompletionNamedToolChoiceParam, {"function"}, {"type"}),
    (chat_completion_named_tool_choice_param.Function, {"name"}, set()),
    (chat_completion_response_format_param.ChatCompletionResponseFormatParam, {"type"}, {"json_schema"}),
    (json_schema_param.JSONSchemaParam, {"name"}, {"description", "schema", "strict"}),
    (structural_tag_response_format_param.StructuralTagResponseFormatParam, {"format", "type"}, set()),
    (
        legacy_structural_tag_response_format_param.LegacyStructuralTagResponseFormatParam,
        {"structures", "triggers", "type"},
        set(),
    ),
    (structural_tag_structure_param.StructuralTagStructureParam, {"begin", "end"}, {"schema"}),
    (
        structured_outputs_param.StructuredOutputsParam,
        set(),
        {
            "_backend",
            "_backend_was_auto",
            "choice",
            "disable_additional_properties",
            "disable_any_whitespace",
            "disable_fallback",
            "grammar",
            "json",
            "json_object",
            "regex",
            "structural_tag",
            "whitespace_pattern",
        },
    ),
    (
        chat_completion_stream_options_param.ChatCompletionStreamOptionsParam,
        set(),
        {"continuous_usage_stats", "include_usage"},
    ),
    (logits_processor_constructor_param.LogitsProcessorConstructorParam, {"qualname"}, {"args", "kwargs"}),
]


def _keys(typed_dict: type) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    return typed_dict.__required_keys__, typed_dict.__optional_keys__  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize(
    ("typed_dict", "required", "optional"),
    SHAPES,
    ids=[f"{shape.__module__.rsplit('.', 1)[-1]}.{shape.__qualname__}" for shape, _, _ in SHAPES],
)
def test_typed_dict_keys_match_spec(typed_dict: type, required: set, optional: set) -> None:
    assert _keys(typed_dict) == (required, optional)


def test_every_typed_dict_in_the_param_modules_is_checked() -> None:
    checked = {typed_dict for typed_dict, _, _ in SHAPES}
    found = set()
    for name in PARAM_MODULES:
        if name.endswith("chat_create_completion_params"):
            continue
        module = importlib.import_module(name)
        for attr in module.__all__:
            value = getattr(module, attr)
            if isinstance(value, type) and hasattr(value, "__required_keys__"):
                found.add(value)
    assert found == checked


def test_structured_outputs_keeps_underscore_keys_as_on_the_wire() -> None:
    hints = typing.get_type_hints(structured_outputs_param.StructuredOutputsParam)
    assert "_backend" in hints and "_backend_was_auto" in hints


def _members(alias: object) -> set:
    return set(typing.get_args(alias))


def test_message_union_has_the_eight_message_kinds() -> None:
    assert _members(chat_completion_message_param.ChatCompletionMessageParam) == {
        chat_completion_developer_message_param.ChatCompletionDeveloperMessageParam,
        chat_completion_system_message_param.ChatCompletionSystemMessageParam,
        chat_completion_user_message_param.ChatCompletionUserMessageParam,
        chat_completion_assistant_message_param.ChatCompletionAssistantMessageParam,
        chat_completion_tool_message_param.ChatCompletionToolMessageParam,
        chat_completion_function_message_param.ChatCompletionFunctionMessageParam,
        custom_chat_completion_message_param.CustomChatCompletionMessageParam,
        chat_completion_harmony_message_param.ChatCompletionHarmonyMessageParam,
    }


def test_content_part_unions() -> None:
    user_parts = {
        chat_completion_content_part_text_param.ChatCompletionContentPartTextParam,
        chat_completion_content_part_image_param.ChatCompletionContentPartImageParam,
        chat_completion_content_part_input_audio_param.ChatCompletionContentPartInputAudioParam,
        chat_completion_content_part_file_param.ChatCompletionContentPartFileParam,
    }
    assert _members(chat_completion_content_part_param.ChatCompletionContentPartParam) == user_parts
    custom_parts = _members(chat_completion_content_part_param.CustomChatCompletionContentPartParam)
    assert len(custom_parts) == 14
    assert custom_parts >= user_parts | {
        str,
        chat_completion_content_part_audio_param.ChatCompletionContentPartAudioParam,
        chat_completion_content_part_video_param.ChatCompletionContentPartVideoParam,
        chat_completion_content_part_refusal_param.ChatCompletionContentPartRefusalParam,
        custom_think_completion_content_param.CustomThinkCompletionContentParam,
    }


def test_small_unions() -> None:
    assert _members(chat_completion_message_tool_call_param.ChatCompletionMessageToolCallParam) == {
        chat_completion_message_function_tool_call_param.ChatCompletionMessageFunctionToolCallParam,
        chat_completion_message_custom_tool_call_param.ChatCompletionMessageCustomToolCallParam,
    }
    assert _members(response_format_param.ResponseFormatParam) == {
        chat_completion_response_format_param.ChatCompletionResponseFormatParam,
        structural_tag_response_format_param.StructuralTagResponseFormatParam,
        legacy_structural_tag_response_format_param.LegacyStructuralTagResponseFormatParam,
    }
    assert _members(logits_processor_param.LogitsProcessorParam) == {
        str,
        logits_processor_constructor_param.LogitsProcessorConstructorParam,
    }
    literal, named = typing.get_args(chat_completion_tool_choice_option_param.ChatCompletionToolChoiceOptionParam)
    assert set(typing.get_args(literal)) == {"none", "auto", "required"}
    assert named is chat_completion_named_tool_choice_param.ChatCompletionNamedToolChoiceParam
    assert typing.get_origin(vllm_xargs_param.VllmXargsParam) is dict


def test_body_fields_are_the_55_fields_in_wire_order() -> None:
    fields = params.BODY_FIELDS
    assert len(fields) == 55
    assert len(set(fields)) == 55
    assert fields[0] == "messages"
    assert list(fields[1:]) == sorted(fields[1:])
    assert {"stream", "use_beam_search", "vllm_xargs", "structured_outputs"} <= set(fields)


def test_params_typed_dicts_cover_every_body_field() -> None:
    required, optional = _keys(params.ChatCreateCompletionParamsBase)
    assert required == {"messages"}
    assert required | optional == set(params.BODY_FIELDS) - {"stream"}

    required, optional = _keys(params.ChatCreateCompletionParamsNonStreaming)
    assert (required, required | optional) == ({"messages"}, set(params.BODY_FIELDS))

    required, optional = _keys(params.ChatCreateCompletionParamsStreaming)
    assert (required, required | optional) == ({"messages", "stream"}, set(params.BODY_FIELDS))

    assert set(typing.get_args(params.ChatCreateCompletionParams)) == {
        params.ChatCreateCompletionParamsNonStreaming,
        params.ChatCreateCompletionParamsStreaming,
    }


def test_stream_literal_differs_between_the_two_variants() -> None:
    # typing_extensions' helpers understand its own Literal on Python 3.9 too.
    streaming = typing_extensions.get_type_hints(params.ChatCreateCompletionParamsStreaming)["stream"]
    non_streaming = typing_extensions.get_type_hints(params.ChatCreateCompletionParamsNonStreaming)["stream"]
    assert typing_extensions.get_args(streaming) == (True,)
    assert set(typing_extensions.get_args(non_streaming)) == {typing_extensions.Literal[False], type(None)}


def _python39() -> str:
    candidates = [os.environ.get("TZAFON_PYTHON39", ""), "/root/.pyenv/versions/3.9.18/bin/python3.9"]
    candidates.append(shutil.which("python3.9") or "")
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip("no Python 3.9 interpreter (set TZAFON_PYTHON39)")


# Run on 3.9 with only what these modules need: the package `__init__` files are bypassed (they may load
# pydantic and the client), and `typing_extensions` plus `httpx` (for `tzafon._types`) come from this environment.
_IMPORT_ON_39 = """
import sys, types, typing, importlib
src, modules = sys.argv[1], sys.argv[2:]
for package, path in (("tzafon", src + "/tzafon"), ("tzafon.types", src + "/tzafon/types")):
    module = types.ModuleType(package)
    module.__path__ = [path]
    sys.modules[package] = module
for name in modules:
    module = importlib.import_module(name)
    for attr in module.__all__:
        value = getattr(module, attr)
        if isinstance(value, type) and hasattr(value, "__required_keys__"):
            typing.get_type_hints(value, include_extras=True)
from tzafon.types.chat_create_completion_params import ChatCreateCompletionParamsStreaming as P
assert P.__required_keys__ == {"messages", "stream"}, P.__required_keys__
print(sys.version_info[:2], len(modules))
"""


def test_every_param_module_imports_on_python_39(tmp_path: Path) -> None:
    python39 = _python39()
    for dependency in ("typing_extensions", "httpx", "idna"):
        spec = importlib.util.find_spec(dependency)
        assert spec is not None and spec.origin is not None
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (tmp_path / source.name).symlink_to(source)
    env: Dict[str, str] = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [python39, "-c", _IMPORT_ON_39, str(SRC_DIR), *PARAM_MODULES],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"(3, 9) {len(PARAM_MODULES)}"
