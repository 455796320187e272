"""Typical user code building chat-completion params: must type-check under `mypy --strict` and pyright strict."""

# Each deliberate error below carries a `# type: ignore[<mypy code>]` and nothing else: pyright honours that comment
# too (so a `# pyright: ignore` beside it is always "unnecessary"), and with mypy's warn_unused_ignores and this
# pyright setting, an error that a checker stops reporting fails the check.
# pyright: reportUnnecessaryTypeIgnoreComment=error

from typing import List, Tuple, Iterator
from typing_extensions import Literal, assert_type

from tzafon.types.vllm_xargs_param import VllmXargsParam
from tzafon.types.response_format_param import ResponseFormatParam
from tzafon.types.logits_processor_param import LogitsProcessorParam
from tzafon.types.structured_outputs_param import StructuredOutputsParam
from tzafon.types.chat_completion_tool_param import ChatCompletionToolParam
from tzafon.types.chat_completion_message_param import ChatCompletionMessageParam
from tzafon.types.chat_create_completion_params import (
    BODY_FIELDS,
    ChatCreateCompletionParams,
    ChatCreateCompletionParamsStreaming,
    ChatCreateCompletionParamsNonStreaming,
)
from tzafon.types.chat_completion_content_part_param import (
    ChatCompletionContentPartParam,
    CustomChatCompletionContentPartParam,
)
from tzafon.types.chat_completion_tool_message_param import ChatCompletionToolMessageParam
from tzafon.types.chat_completion_user_message_param import ChatCompletionUserMessageParam
from tzafon.types.chat_completion_harmony_message_param import ChatCompletionHarmonyMessageParam
from tzafon.types.chat_completion_assistant_message_param import ChatCompletionAssistantMessageParam
from tzafon.types.chat_completion_message_tool_call_param import ChatCompletionMessageToolCallParam
from tzafon.types.chat_completion_tool_choice_option_param import ChatCompletionToolChoiceOptionParam

# Every message kind, written inline the way users write them.
messages: List[ChatCompletionMessageParam] = [
    {"role": "developer", "content": "Answer in French."},
    {"role": "developer", "content": [{"type": "text", "text": "Be brief."}], "name": "ops"},
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "system", "content": [{"type": "text", "text": "Cite sources."}]},
    {"role": "user", "content": "What is in this picture?", "name": "alice"},
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "Describe these."},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
            {"type": "file", "file": {"file_data": "JVBERi0=", "filename": "report.pdf"}},
            {"type": "file", "file": {"file_id": "file-123"}},
        ],
    },
    {"role": "assistant", "content": "A cat."},
    {"role": "assistant", "content": None, "refusal": None, "audio": None, "function_call": None},
    {"role": "assistant", "content": [{"type": "text", "text": "Sure."}, {"type": "refusal", "refusal": "No."}]},
    {"role": "assistant", "audio": {"id": "audio-1"}, "name": "bot"},
    {"role": "assistant", "function_call": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
    {
        "role": "assistant",
        "tool_calls": [
            {"id": "call-1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
            {"id": "call-2", "type": "custom", "custom": {"name": "sql", "input": "SELECT 1"}},
        ],
    },
    {"role": "tool", "tool_call_id": "call-1", "content": '{"temperature": 21}'},
    {"role": "tool", "tool_call_id": "call-2", "content": [{"type": "text", "text": "1"}]},
    {"role": "function", "name": "get_weather", "content": None},
    {"role": "function", "name": "get_weather", "content": "sunny"},
    {"role": "ipython", "content": "print(1)"},
    {
        "role": "assistant",
        "content": "The weather is sunny.",
        "reasoning": "The tool said sunny.",
        "tool_calls": None,
    },
    {
        "role": "observer",
        "name": "camera",
        "content": [
            "plain text part",
            {"type": "text", "text": "typed text"},
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
            {"type": "input_audio", "input_audio": {"data": "SUQz", "format": "mp3"}},
            {"type": "file", "file": {"file_id": "file-9"}},
            {"type": "audio_url", "audio_url": {"url": "https://example.com/a.mp3"}},
            {"type": "video_url", "video_url": {"url": "https://example.com/a.mp4"}},
            {"type": "refusal", "refusal": "Not that."},
            {"image_url": "https://example.com/b.jpg", "uuid": "img-b"},
            {"audio_url": "https://example.com/b.mp3"},
            {"video_url": "https://example.com/b.mp4", "uuid": None},
            {"type": "image_embeds", "image_embeds": "ZW1iZWRz", "uuid": "emb-1"},
            {"type": "image_embeds", "image_embeds": {"image_embeds": "ZQ==", "image_grid_thw": "Zw=="}},
            {"type": "audio_embeds", "audio_embeds": None},
            {"type": "thinking", "thinking": "Let me look.", "closed": True},
        ],
        "tool_call_id": None,
        "tool_calls": [{"id": "call-3", "type": "function", "function": {"name": "zoom", "arguments": "{}"}}],
        "tools": [
            {
                "type": "function",
                "function": {"name": "zoom", "description": "Zoom in.", "parameters": {}, "strict": True},
            }
        ],
    },
    {
        "author": {"role": "assistant", "name": None},
        "channel": "analysis",
        "content": [{"type": "text", "text": "thinking..."}],
        "content_type": None,
        "recipient": "functions.get_weather",
    },
    {"author": {"role": "tool", "name": "functions.get_weather"}},
]

# Parts and messages built separately, then combined; `Iterable` fields take tuples and generators too.
parts: List[ChatCompletionContentPartParam] = [{"type": "text", "text": "Hi"}]
custom_parts: List[CustomChatCompletionContentPartParam] = ["Hi", {"type": "thinking", "thinking": "..."}]
user_message: ChatCompletionUserMessageParam = {"role": "user", "content": parts}
tool_calls: Tuple[ChatCompletionMessageToolCallParam, ...] = (
    {"id": "call-1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
)
assistant_message: ChatCompletionAssistantMessageParam = {"role": "assistant", "tool_calls": tool_calls}
harmony_message: ChatCompletionHarmonyMessageParam = {"author": {"role": "user"}, "content": ["hello"]}


def history() -> Iterator[ChatCompletionMessageParam]:
    yield {"role": "system", "content": "Be terse."}
    yield user_message
    yield assistant_message
    yield {"role": "observer", "content": custom_parts}
    yield harmony_message


tools: List[ChatCompletionToolParam] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    },
    {"function": {"name": "now", "description": None, "parameters": None}},
]

tool_choices: List[ChatCompletionToolChoiceOptionParam] = [
    "none",
    "auto",
    "required",
    {"type": "function", "function": {"name": "get_weather"}},
    {"function": {"name": "now"}},
]

response_formats: List[ResponseFormatParam] = [
    {"type": "text"},
    {"type": "json_object"},
    {
        "type": "json_schema",
        "json_schema": {"name": "city", "schema": {"type": "object"}, "strict": True, "description": None},
    },
    {"type": "structural_tag", "format": {"type": "triggered_tags", "triggers": ["<tool>"], "tags": []}},
    {
        "type": "structural_tag",
        "structures": [{"begin": "<function=get_weather>", "end": "</function>", "schema": {"type": "object"}}],
        "triggers": ["<function="],
    },
]

structured_outputs: List[StructuredOutputsParam] = [
    {"json": {"type": "object", "properties": {"answer": {"type": "string"}}}},
    {"json": '{"type": "object"}', "disable_any_whitespace": True, "disable_additional_properties": True},
    {"regex": r"\d{3}-\d{4}"},
    {"choice": ["yes", "no"]},
    {"grammar": 'root ::= "yes" | "no"', "disable_fallback": True},
    {"json_object": True, "whitespace_pattern": r"[ ]?"},
    {"structural_tag": '{"type": "structural_tag"}'},
    {"_backend": None, "_backend_was_auto": False},
]

logits_processors: List[LogitsProcessorParam] = [
    "my_module.NoRepeat",
    {"qualname": "my_module.Bias", "args": [1, 2], "kwargs": {"scale": 0.5}},
    {"qualname": "my_module.Plain", "args": None, "kwargs": None},
]

vllm_xargs: VllmXargsParam = {"session_id": "abc", "budget": 128, "ratio": 0.5, "tags": ["a", 1, 2.5]}

request: ChatCreateCompletionParamsNonStreaming = {
    "messages": messages,
    "model": "tzafon.northstar",
    "add_generation_prompt": True,
    "add_special_tokens": False,
    "allowed_token_ids": range(100),
    "bad_words": ["darn"],
    "cache_salt": None,
    "chat_template": None,
    "chat_template_kwargs": {"enable_thinking": False},
    "continue_final_message": False,
    "documents": [{"title": "Doc", "text": "Body"}],
    "echo": False,
    "frequency_penalty": 0.1,
    "ignore_eos": False,
    "include_reasoning": True,
    "include_stop_str_in_output": False,
    "kv_transfer_params": None,
    "length_penalty": 1.0,
    "logit_bias": {"50256": -100},
    "logits_processors": logits_processors,
    "logprobs": True,
    "max_completion_tokens": 256,
    "max_tokens": None,
    "min_p": 0.05,
    "min_tokens": 1,
    "mm_processor_kwargs": {"num_crops": 4},
    "n": 1,
    "parallel_tool_calls": False,
    "presence_penalty": None,
    "priority": 0,
    "prompt_logprobs": 1,
    "reasoning_effort": "low",
    "repetition_penalty": 1.1,
    "request_id": "req-1",
    "response_format": response_formats[2],
    "return_token_ids": True,
    "return_tokens_as_token_ids": None,
    "seed": 42,
    "skip_special_tokens": True,
    "spaces_between_special_tokens": True,
    "stop": ["\n\n", "END"],
    "stop_token_ids": (2, 3),
    "stream": False,
    "structured_outputs": None,
    "temperature": 0.7,
    "tool_choice": tool_choices[3],
    "tools": tools,
    "top_k": 40,
    "top_logprobs": 5,
    "top_p": 0.9,
    "truncate_prompt_tokens": -1,
    "use_beam_search": False,
    "user": "user-42",
    "vllm_xargs": vllm_xargs,
}

streaming_request: ChatCreateCompletionParamsStreaming = {
    "messages": history(),
    "stream": True,
    "stream_options": {"include_usage": True, "continuous_usage_stats": None},
    "logits_processors": ["my_module.NoRepeat", {"qualname": "my_module.Bias", "kwargs": {"scale": 2}}],
    "stop": "END",
    "structured_outputs": structured_outputs[0],
}

either: List[ChatCreateCompletionParams] = [request, streaming_request, {"messages": [user_message]}]

assert_type(streaming_request["stream"], Literal[True])
assert_type(BODY_FIELDS, Tuple[str, ...])

# Deliberate errors: each must stay an error for both checkers (see the top of the file).
typo_in_key: List[ChatCompletionMessageParam] = [{"role": "user", "contnet": "Hi"}]  # type: ignore[list-item]
wrong_role: ChatCompletionUserMessageParam = {"role": "usr", "content": "Hi"}  # type: ignore[typeddict-item]
wrong_part_type: ChatCompletionUserMessageParam = {"role": "user", "content": [{"type": "txt", "text": "Hi"}]}  # type: ignore[typeddict-item]
missing_tool_call_id: ChatCompletionToolMessageParam = {"role": "tool", "content": "42"}  # type: ignore[typeddict-item]
missing_messages: ChatCreateCompletionParamsNonStreaming = {"model": "m"}  # type: ignore[typeddict-item]
stream_true_in_non_streaming: ChatCreateCompletionParamsNonStreaming = {"messages": [], "stream": True}  # type: ignore[typeddict-item]
stream_left_out_of_streaming: ChatCreateCompletionParamsStreaming = {"messages": []}  # type: ignore[typeddict-item]
unknown_tool_choice: ChatCompletionToolChoiceOptionParam = "always"  # type: ignore[assignment]
typo_in_structured_outputs: StructuredOutputsParam = {"regexp": "a+"}  # type: ignore[typeddict-unknown-key]
stop_as_number: ChatCreateCompletionParamsNonStreaming = {"messages": [], "stop": 3}  # type: ignore[typeddict-item]
typo_in_custom_part: CustomChatCompletionContentPartParam = {"type": "thinking", "thinkng": "..."}  # type: ignore[assignment]
