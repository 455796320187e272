"""Hand-written helpers beyond the API: accumulation, structured outputs, tools, notebook display."""

from __future__ import annotations

from ._tools import FunctionTool, ToolArgumentsError, function_tool
from ._errors import (
    ParseError,
    RefusalError,
    InvalidJSONError,
    SchemaValidationError,
    LengthFinishReasonError,
    ContentFilterFinishReasonError,
)
from ._runner import (
    Turn,
    StoppedReason,
    ToolRunResult,
    ToolCallResult,
    UnknownToolError,
    run_tools,
    arun_tools,
    iter_tool_turns,
    aiter_tool_turns,
)
from ._display import display_stream, adisplay_stream, completion_markdown
from ._parsing import parse_completion
from ._structured import (
    ParseRequest,
    regex,
    choice,
    grammar,
    json_schema_of,
    build_parse_request,
    to_strict_json_schema,
    check_structured_outputs,
    reject_type_response_format,
)
from ._accumulator import ChatCompletionAccumulator, iter_text, accumulate, aiter_text, aaccumulate
from ._partial_json import iter_partial_json, aiter_partial_json, parse_partial_json

__all__ = [
    "ChatCompletionAccumulator",
    "accumulate",
    "aaccumulate",
    "iter_text",
    "aiter_text",
    "build_parse_request",
    "ParseRequest",
    "parse_completion",
    "json_schema_of",
    "to_strict_json_schema",
    "regex",
    "choice",
    "grammar",
    "check_structured_outputs",
    "reject_type_response_format",
    "parse_partial_json",
    "iter_partial_json",
    "aiter_partial_json",
    "ParseError",
    "LengthFinishReasonError",
    "RefusalError",
    "ContentFilterFinishReasonError",
    "InvalidJSONError",
    "SchemaValidationError",
    "completion_markdown",
    "display_stream",
    "adisplay_stream",
    "function_tool",
    "FunctionTool",
    "ToolArgumentsError",
    "run_tools",
    "arun_tools",
    "iter_tool_turns",
    "aiter_tool_turns",
    "Turn",
    "ToolCallResult",
    "ToolRunResult",
    "UnknownToolError",
    "StoppedReason",
]
