"""The body of `POST /chat/completions`: every field, as `TypedDict`s, and their order on the wire."""

from typing import Dict, Tuple, Union, Iterable, Optional
from typing_extensions import Literal, Required, TypeAlias, TypedDict

from .._types import SequenceNotStr
from .vllm_xargs_param import VllmXargsParam
from .response_format_param import ResponseFormatParam
from .logits_processor_param import LogitsProcessorParam
from .structured_outputs_param import StructuredOutputsParam
from .chat_completion_tool_param import ChatCompletionToolParam
from .chat_completion_message_param import ChatCompletionMessageParam
from .chat_completion_stream_options_param import ChatCompletionStreamOptionsParam
from .chat_completion_tool_choice_option_param import ChatCompletionToolChoiceOptionParam

# No `from __future__ import annotations` in the param modules: with it, `Required[...]` stays a string at class
# creation and every key lands in `__optional_keys__` at runtime.

__all__ = [
    "BODY_FIELDS",
    "ChatCreateCompletionParams",
    "ChatCreateCompletionParamsBase",
    "ChatCreateCompletionParamsNonStreaming",
    "ChatCreateCompletionParamsStreaming",
]


class ChatCreateCompletionParamsBase(TypedDict, total=False):
    """The request body, less `stream` (see the streaming and non-streaming variants)."""

    messages: Required[Iterable[ChatCompletionMessageParam]]
    """The conversation so far, oldest message first."""

    add_generation_prompt: bool
    """If true, the generation prompt will be added to the chat template.

    This is a parameter used by chat template in tokenizer config of the model.
    """

    add_special_tokens: bool
    """
    If true, special tokens (e.g. BOS) will be added to the prompt on top of what is added by the chat template. For
    most models, the chat template takes care of adding the special tokens so this should be set to false (as is the
    default).
    """

    allowed_token_ids: Optional[Iterable[int]]
    """If set, only these token ids can be generated."""

    bad_words: SequenceNotStr[str]
    """Words that must not be generated."""

    cache_salt: Optional[str]
    """
    If specified, the prefix cache will be salted with the provided string to prevent an attacker to guess prompts in
    multi-user environments. The salt should be random, protected from access by 3rd parties, and long enough to be
    unpredictable (e.g., 43 characters base64-encoded, corresponding to 256 bit).
    """

    chat_template: Optional[str]
    """A Jinja template to use for this conversion.

    As of transformers v4.44, default chat template is no longer allowed, so you must provide a chat template if the
    tokenizer does not define one.
    """

    chat_template_kwargs: Optional[Dict[str, object]]
    """Additional keyword args to pass to the template renderer.

    Will be accessible by the chat template.
    """

    continue_final_message: bool
    """
    If this is set, the chat will be formatted so that the final message in the chat is open-ended, without any EOS
    tokens. The model will continue this message rather than starting a new one. This allows you to "prefill" part of
    the model's response for it. Cannot be used at the same time as `add_generation_prompt`.
    """

    documents: Optional[Iterable[Dict[str, str]]]
    """
    A list of dicts representing documents that will be accessible to the model if it is performing RAG
    (retrieval-augmented generation). If the template does not support RAG, this argument will have no effect. We
    recommend that each document should be a dict containing "title" and "text" keys.
    """

    echo: bool
    """If true, the new message will be prepended with the last message if they belong to the same role."""

    frequency_penalty: Optional[float]
    """Between -2.0 and 2.0: positive values penalise tokens by how often they already appear in the output."""

    ignore_eos: bool
    """If true, generation goes on past the end-of-sequence token."""

    include_reasoning: bool
    """Whether to return the model's reasoning (when the server runs a reasoning parser). Default true."""

    include_stop_str_in_output: bool
    """Whether the stop string that ended generation is kept at the end of the output."""

    kv_transfer_params: Optional[Dict[str, object]]
    """KVTransfer parameters used for disaggregated serving."""

    length_penalty: float
    """Penalty on sequence length, used by beam search."""

    logit_bias: Optional[Dict[str, float]]
    """Maps token ids (as strings) to a bias added to their logits, between -100 and 100."""

    # `Iterable`, not the spec's `SequenceNotStr`: pyright cannot infer inline dict items against that protocol, nor
    # mypy against a union of list types. A bare string type-checks (as an iterable of str) and the server rejects it.
    logits_processors: Optional[Iterable[LogitsProcessorParam]]
    """
    A list of either qualified names of logits processors, or constructor objects, to apply when sampling. A
    constructor is a JSON object with a required 'qualname' field specifying the qualified name of the processor
    class/factory, and optional 'args' and 'kwargs' fields containing positional and keyword arguments. For example:
    {'qualname': 'my_module.MyLogitsProcessor', 'args': [1, 2], 'kwargs': {'param': 'value'}}.
    """

    logprobs: Optional[bool]
    """Whether to return the log probability of each output token."""

    max_completion_tokens: Optional[int]
    """The maximum number of tokens to generate."""

    max_tokens: Optional[int]
    """Deprecated: use `max_completion_tokens`, which wins when both are set."""

    min_p: Optional[float]
    """Between 0 and 1: the minimum probability of a token, relative to the most likely one, to be sampled."""

    min_tokens: int
    """The minimum number of tokens to generate before end-of-sequence or stop tokens may end the output."""

    mm_processor_kwargs: Optional[Dict[str, object]]
    """Additional kwargs to pass to the HF processor."""

    model: Optional[str]
    """The served model (or LoRA adapter) to use. Left out, the server uses its first served model."""

    n: Optional[int]
    """How many choices to generate. More than one needs a `temperature` above 0."""

    parallel_tool_calls: Optional[bool]
    """Whether the model may call several tools in one reply; false keeps only the first call."""

    presence_penalty: Optional[float]
    """Between -2.0 and 2.0: positive values penalise tokens that already appear in the output."""

    priority: int
    """
    The priority of the request (lower means earlier handling; default: 0). Any priority other than 0 will raise an
    error if the served model does not use priority scheduling.
    """

    prompt_logprobs: Optional[int]
    """How many log probabilities to return for each prompt token. Not allowed with `stream`."""

    reasoning_effort: Optional[Literal["low", "medium", "high"]]
    """How much the model should reason before answering, for models that support it."""

    repetition_penalty: Optional[float]
    """Penalty on tokens already in the prompt or output: 1.0 means none, above 1.0 discourages repetition."""

    request_id: str
    """
    The request_id related to this request. If the caller does not set it, a random_uuid will be generated. This id is
    used through out the inference process and return in response.
    """

    response_format: Optional[ResponseFormatParam]
    """The format the output must follow: text, a JSON object, a JSON schema, or a structural tag."""

    return_token_ids: Optional[bool]
    """
    If specified, the result will include token IDs alongside the generated text. In streaming mode,
    prompt_token_ids is included only in the first chunk, and token_ids contains the delta tokens for each chunk.
    This is useful for debugging or when you need to map generated text back to input tokens.
    """

    return_tokens_as_token_ids: Optional[bool]
    """
    If specified with 'logprobs', tokens are represented as strings of the form 'token_id:{token_id}' so that tokens
    that are not JSON-encodable can be identified.
    """

    seed: Optional[int]
    """The random seed for sampling, within the 64-bit signed range."""

    skip_special_tokens: bool
    """Whether special tokens are left out of the output text. Default true."""

    spaces_between_special_tokens: bool
    """Whether special tokens in the output text are separated by spaces. Default true."""

    stop: Union[str, SequenceNotStr[str], None]
    """One or more strings that end generation when the model produces them."""

    stop_token_ids: Optional[Iterable[int]]
    """Token ids that end generation when the model produces them."""

    stream_options: Optional[ChatCompletionStreamOptionsParam]
    """Options for streaming response. Only set this when you set `stream: true`."""

    structured_outputs: Optional[StructuredOutputsParam]
    """Additional kwargs for structured outputs"""

    temperature: Optional[float]
    """The sampling temperature; 0 always picks the most likely token."""

    tool_choice: Optional[ChatCompletionToolChoiceOptionParam]
    """Controls which (if any) tool is called by the model: `none`, `auto`, `required` or a named function.

    `none` is the default when no tools are present. `auto` is the default if tools are present.
    """

    tools: Optional[Iterable[ChatCompletionToolParam]]
    """The function tools the model may call."""

    top_k: Optional[int]
    """Sample only from the k most likely tokens; -1 or 0 means all of them."""

    top_logprobs: Optional[int]
    """How many of the most likely tokens to return, with their log probabilities, at each position.

    Needs `logprobs`.
    """

    top_p: Optional[float]
    """Sample only from the most likely tokens whose probabilities add up to `top_p` (between 0 and 1)."""

    truncate_prompt_tokens: Optional[int]
    """Keep only the last this many prompt tokens; -1 means as many as the model's context allows."""

    use_beam_search: bool
    """Whether to use beam search instead of sampling."""

    user: Optional[str]
    """An identifier for your end user."""

    vllm_xargs: Optional[VllmXargsParam]
    """Additional request parameters with (list of) string or numeric values, used by custom extensions."""


class ChatCreateCompletionParamsNonStreaming(ChatCreateCompletionParamsBase, total=False):
    stream: Optional[Literal[False]]
    """Whether to stream the response as server-sent events. False or left out: one JSON response."""


class ChatCreateCompletionParamsStreaming(ChatCreateCompletionParamsBase):
    stream: Required[Literal[True]]
    """Whether to stream the response as server-sent events."""


ChatCreateCompletionParams: TypeAlias = Union[
    ChatCreateCompletionParamsNonStreaming, ChatCreateCompletionParamsStreaming
]

BODY_FIELDS: Tuple[str, ...] = (
    "messages",
    "add_generation_prompt",
    "add_special_tokens",
    "allowed_token_ids",
    "bad_words",
    "cache_salt",
    "chat_template",
    "chat_template_kwargs",
    "continue_final_message",
    "documents",
    "echo",
    "frequency_penalty",
    "ignore_eos",
    "include_reasoning",
    "include_stop_str_in_output",
    "kv_transfer_params",
    "length_penalty",
    "logit_bias",
    "logits_processors",
    "logprobs",
    "max_completion_tokens",
    "max_tokens",
    "min_p",
    "min_tokens",
    "mm_processor_kwargs",
    "model",
    "n",
    "parallel_tool_calls",
    "presence_penalty",
    "priority",
    "prompt_logprobs",
    "reasoning_effort",
    "repetition_penalty",
    "request_id",
    "response_format",
    "return_token_ids",
    "return_tokens_as_token_ids",
    "seed",
    "skip_special_tokens",
    "spaces_between_special_tokens",
    "stop",
    "stop_token_ids",
    "stream",
    "stream_options",
    "structured_outputs",
    "temperature",
    "tool_choice",
    "tools",
    "top_k",
    "top_logprobs",
    "top_p",
    "truncate_prompt_tokens",
    "use_beam_search",
    "user",
    "vllm_xargs",
)
"""The body fields in the order they go on the wire: `messages`, then the rest alphabetically."""
