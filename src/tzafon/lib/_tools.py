"""`function_tool`: turn a typed Python function or a pydantic model into a tool the model can call."""

from __future__ import annotations

import re
import copy
import inspect
import functools
from typing import (
    Any,
    Dict,
    List,
    Type,
    Tuple,
    Union,
    Generic,
    Mapping,
    TypeVar,
    Callable,
    Iterator,
    Optional,
    Awaitable,
    cast,
    overload,
    get_type_hints,
)
from dataclasses import dataclass
from typing_extensions import Protocol, Annotated, get_args, override, get_origin

import pydantic
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema

from ..types.chat_completion_tool_param import ChatCompletionToolParam

__all__ = ["FunctionTool", "ToolArgumentsError", "function_tool"]

ArgsT = TypeVar("ArgsT")
ResultT = TypeVar("ResultT")
ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)
R = TypeVar("R")

ToolArguments = Union[str, bytes, bytearray, Mapping[str, Any], None]
"""What the model sent as a call's arguments: JSON text (as in `tool_call.function.arguments`) or a dict."""

# The character set chat templates and OpenAI-style clients agree on for function names.
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ARGS_SECTIONS = {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments"}
_SECTION_HEADER = re.compile(r"[A-Z][A-Za-z ]*:")
_ARG_ENTRY = re.compile(r"\*{0,2}([A-Za-z_]\w*)\s*(?:\([^)]*\))?\s*:\s*(.*)")
_SHOWN_INPUT_CHARS = 80


class ToolArgumentsError(ValueError):
    """The arguments of a tool call are not valid JSON, or do not match the tool's parameters.

    `errors` lists pydantic's error dicts; the message is short enough to send back to the model.
    """

    def __init__(self, message: str, *, tool_name: str, errors: List[Dict[str, Any]]) -> None:
        super().__init__(message)
        self.tool_name = tool_name
        self.errors = errors


class _NoFieldTitles(GenerateJsonSchema):
    """Leave out the `title` pydantic derives from every property name: noise in a tool schema."""

    @override
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


@dataclass(frozen=True)
class _Parameter:
    field: str
    name: str
    positional_only: bool


class FunctionTool(Mapping[str, object], Generic[ArgsT, ResultT]):
    """A tool the model may call: its definition for `tools=[...]`, and how to validate and run a call.

    Build it with `function_tool(...)`. It reads as the `{"type": "function", "function": {...}}`
    dict the API expects; in typed code pass `tool.to_param()` in `tools=[...]`. `run_tools`
    accepts the tools themselves.
    """

    def __init__(
        self,
        *,
        name: str,
        description: Optional[str],
        parameters: Dict[str, object],
        strict: bool,
        arguments_model: Type[pydantic.BaseModel],
        fn: Optional[Callable[..., Any]],
        binding: Tuple[_Parameter, ...],
    ) -> None:
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
        self.arguments_model = arguments_model
        """The pydantic model that validates the arguments (the user's model for a model tool)."""
        self.fn = fn
        """The function the tool runs; `None` for a tool made from a pydantic model."""
        self._binding = binding
        function: Dict[str, object] = {"name": name}
        if description is not None:
            function["description"] = description
        function["parameters"] = parameters
        self._param: Dict[str, object] = {"type": "function", "function": function}

    @property
    def is_async(self) -> bool:
        """Whether the tool's function is a coroutine function (run it with `acall` / `arun_tools`)."""
        return self.fn is not None and _is_coroutine_callable(self.fn)

    def to_param(self) -> ChatCompletionToolParam:
        """The tool definition as the typed dict `tools=[...]` takes (a fresh copy)."""
        return cast(ChatCompletionToolParam, copy.deepcopy(self._param))

    def parse_arguments(self, arguments: ToolArguments) -> ArgsT:
        """Validate a call's arguments.

        Returns an instance of the model for a model tool, and a dict of the function's
        validated keyword arguments (defaults filled in) for a function tool. Empty text means
        no arguments. Raises `ToolArgumentsError` when the JSON is invalid or does not match.
        """
        instance = self._validate(arguments)
        if self.fn is None:
            return cast(ArgsT, instance)
        return cast(ArgsT, {parameter.name: getattr(instance, parameter.field) for parameter in self._binding})

    def call(self, arguments: ToolArguments) -> ResultT:
        """Validate the arguments, then run the function with them and return what it returns.

        A model tool returns the validated model instance. Raises `ToolArgumentsError` for bad
        arguments, `TypeError` for an async function (use `acall`), and whatever the function raises.
        """
        if self.fn is None:
            return cast(ResultT, self._validate(arguments))
        if self.is_async:
            raise TypeError(f"tool {self.name!r} is an async function: use `await tool.acall(...)` or `arun_tools`")
        args, kwargs = self._bind(self._validate(arguments))
        result = self.fn(*args, **kwargs)
        if inspect.isawaitable(result):
            _discard(result)
            raise TypeError(f"tool {self.name!r} returned an awaitable: use `await tool.acall(...)` or `arun_tools`")
        return cast(ResultT, result)

    async def acall(self, arguments: ToolArguments) -> ResultT:
        """Like `call`, awaiting an async function; a sync function runs in a worker thread."""
        if self.fn is None:
            return cast(ResultT, self._validate(arguments))
        args, kwargs = self._bind(self._validate(arguments))
        if self.is_async:
            result = await self.fn(*args, **kwargs)
        else:
            import anyio.to_thread

            result = await anyio.to_thread.run_sync(functools.partial(self.fn, *args, **kwargs))
            if inspect.isawaitable(result):
                result = await result
        return cast(ResultT, result)

    def _validate(self, arguments: ToolArguments) -> pydantic.BaseModel:
        try:
            if arguments is None:
                return self.arguments_model.model_validate({})
            if isinstance(arguments, (str, bytes, bytearray)):
                if not arguments.strip():
                    return self.arguments_model.model_validate({})
                return self.arguments_model.model_validate_json(arguments)
            return self.arguments_model.model_validate(arguments)
        except pydantic.ValidationError as exc:
            errors = [dict(error) for error in exc.errors(include_url=False)]
            raise ToolArgumentsError(_describe_errors(self.name, errors), tool_name=self.name, errors=errors) from exc

    def _bind(self, instance: pydantic.BaseModel) -> Tuple[List[Any], Dict[str, Any]]:
        args: List[Any] = []
        kwargs: Dict[str, Any] = {}
        for parameter in self._binding:
            value = getattr(instance, parameter.field)
            if parameter.positional_only:
                args.append(value)
            else:
                kwargs[parameter.name] = value
        return args, kwargs

    @override
    def __getitem__(self, key: str) -> object:
        return self._param[key]

    @override
    def __iter__(self) -> Iterator[str]:
        return iter(self._param)

    @override
    def __len__(self) -> int:
        return len(self._param)

    @override
    def __repr__(self) -> str:
        target = self.fn if self.fn is not None else self.arguments_model
        return f"FunctionTool(name={self.name!r}, target={target!r}, strict={self.strict})"


def _discard(awaitable: object) -> None:
    close = getattr(awaitable, "close", None)
    if callable(close):
        close()


def _describe_errors(name: str, errors: List[Dict[str, Any]]) -> str:
    problems: List[str] = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ())) or "arguments"
        problem = f"{location}: {error.get('msg', 'invalid')}"
        shown = error.get("input")
        if error.get("type") not in ("missing", "json_invalid") and isinstance(shown, (str, int, float, bool)):
            text = repr(shown)
            if len(text) > _SHOWN_INPUT_CHARS:
                text = text[:_SHOWN_INPUT_CHARS] + "..."
            problem += f" (got {text})"
        problems.append(problem)
    return f"invalid arguments for tool {name!r}: " + "; ".join(problems)


def _innermost(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The function a (possibly nested) `functools.partial` wraps."""
    while isinstance(fn, functools.partial):
        inner: Callable[..., Any] = fn.func
        fn = inner
    return fn


def _is_coroutine_callable(fn: Callable[..., Any]) -> bool:
    fn = _innermost(fn)
    if inspect.iscoroutinefunction(fn):
        return True
    call = getattr(fn, "__call__", None)  # noqa: B004 - a callable object's own __call__
    return not inspect.isroutine(fn) and call is not None and inspect.iscoroutinefunction(call)


class _ToolDecorator(Protocol):
    @overload
    def __call__(  # type: ignore[overload-overlap]
        self, fn_or_model: Type[ModelT], /
    ) -> FunctionTool[ModelT, ModelT]: ...

    @overload
    def __call__(  # pyright: ignore[reportOverlappingOverload]
        self, fn_or_model: Callable[..., Awaitable[R]], /
    ) -> FunctionTool[Dict[str, Any], R]: ...

    @overload
    def __call__(self, fn_or_model: Callable[..., R], /) -> FunctionTool[Dict[str, Any], R]: ...


@overload
def function_tool(  # type: ignore[overload-overlap]
    fn_or_model: Type[ModelT],
    *,
    name: Optional[str] = None,
    description: Optional[str] = None,
    strict: bool = False,
) -> FunctionTool[ModelT, ModelT]: ...


@overload
def function_tool(  # pyright: ignore[reportOverlappingOverload]
    fn_or_model: Callable[..., Awaitable[R]],
    *,
    name: Optional[str] = None,
    description: Optional[str] = None,
    strict: bool = False,
) -> FunctionTool[Dict[str, Any], R]: ...


@overload
def function_tool(
    fn_or_model: Callable[..., R],
    *,
    name: Optional[str] = None,
    description: Optional[str] = None,
    strict: bool = False,
) -> FunctionTool[Dict[str, Any], R]: ...


@overload
def function_tool(
    fn_or_model: None = None,
    *,
    name: Optional[str] = None,
    description: Optional[str] = None,
    strict: bool = False,
) -> _ToolDecorator: ...


def function_tool(
    fn_or_model: object = None,
    *,
    name: Optional[str] = None,
    description: Optional[str] = None,
    strict: bool = False,
) -> Any:
    """Describe a function, or a pydantic model, as a tool the model can call.

    From a function: the parameters come from its signature and type annotations (validated
    with pydantic), the description from the docstring's first paragraph, and each parameter's
    description from `Annotated[T, Field(description=...)]` or the docstring's Google-style
    `Args:` section. From a pydantic model class: the parameters are the model's JSON Schema and
    the description its docstring; calling the tool returns the validated model.

    `strict=True` makes the schema strict (every property required, `additionalProperties:
    false`, in nested objects too) and rejects unknown arguments when validating a function's.

    Use it as a call (`function_tool(fn)`) or a decorator (`@function_tool`,
    `@function_tool(name="lookup")`).
    """
    if fn_or_model is None:
        return functools.partial(function_tool, name=name, description=description, strict=strict)
    model = _model_class(fn_or_model)
    if model is not None:
        return _model_tool(model, name=name, description=description, strict=strict)
    if not callable(fn_or_model):
        raise TypeError(f"function_tool() takes a function or a pydantic model class, got {fn_or_model!r}")
    return _function_tool(fn_or_model, name=name, description=description, strict=strict)


def _model_class(value: object) -> Optional[Type[pydantic.BaseModel]]:
    if isinstance(value, type) and issubclass(value, pydantic.BaseModel):
        return value
    return None


def _check_name(name: str, source: object) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(
            f"{name!r} (from {source!r}) is not a usable tool name: use 1 to 64 letters, digits, '_' or '-', "
            "e.g. function_tool(fn, name='get_weather')"
        )
    return name


def _model_tool(
    model: Type[pydantic.BaseModel], *, name: Optional[str], description: Optional[str], strict: bool
) -> FunctionTool[Any, Any]:
    schema = model.model_json_schema(schema_generator=_NoFieldTitles)
    schema.pop("title", None)
    model_description = schema.pop("description", None)
    if description is None and isinstance(model_description, str):
        description = model_description
    return FunctionTool(
        name=_check_name(name or model.__name__, model),
        description=description,
        parameters=_strict_schema(schema) if strict else schema,
        strict=strict,
        arguments_model=model,
        fn=None,
        binding=(),
    )


def _function_tool(
    fn: Callable[..., Any], *, name: Optional[str], description: Optional[str], strict: bool
) -> FunctionTool[Any, Any]:
    target = _innermost(fn)
    tool_name = _check_name(name if name is not None else str(getattr(target, "__name__", "")), fn)
    summary, documented = _parse_docstring(inspect.getdoc(target) or "")
    signature = inspect.signature(fn)
    hints = _type_hints(fn, tool_name)
    fields: Dict[str, Any] = {}
    binding: List[_Parameter] = []
    for position, parameter in enumerate(signature.parameters.values()):
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            raise TypeError(
                f"tool {tool_name!r}: parameter {parameter.name!r} is *args or **kwargs, which a JSON "
                "object of arguments cannot describe; give the function named parameters"
            )
        annotation = hints.get(parameter.name, parameter.annotation)
        if annotation is inspect.Parameter.empty:
            annotation = Any
        default = ... if parameter.default is inspect.Parameter.empty else parameter.default
        doc = documented.get(parameter.name)
        # Fields get neutral names and the parameter name as alias, so any parameter name works
        # (`json`, `model_config`, `_private`...) without clashing with pydantic's own attributes.
        field_name = f"p{position}"
        info = pydantic.Field(default, alias=parameter.name)
        if doc is not None and not _has_description(annotation):
            info = pydantic.Field(default, alias=parameter.name, description=doc)
        fields[field_name] = (annotation, info)
        binding.append(_Parameter(field_name, parameter.name, parameter.kind is inspect.Parameter.POSITIONAL_ONLY))
    config = pydantic.ConfigDict(extra="forbid" if strict else "ignore", arbitrary_types_allowed=True)
    arguments_model: Type[pydantic.BaseModel] = pydantic.create_model(tool_name, __config__=config, **fields)
    schema = arguments_model.model_json_schema(schema_generator=_NoFieldTitles)
    schema.pop("title", None)
    return FunctionTool(
        name=tool_name,
        description=description if description is not None else summary,
        parameters=_strict_schema(schema) if strict else schema,
        strict=strict,
        arguments_model=arguments_model,
        fn=fn,
        binding=tuple(binding),
    )


def _type_hints(fn: Callable[..., Any], tool_name: str) -> Dict[str, Any]:
    target: object = _innermost(fn)
    if not inspect.isroutine(target):
        target = getattr(target, "__call__", target)  # noqa: B004 - a callable object's own __call__
    try:
        return get_type_hints(target, include_extras=True)
    except Exception as exc:
        raise TypeError(
            f"tool {tool_name!r}: cannot evaluate the type annotations of {fn!r}: {type(exc).__name__}: {exc}"
        ) from exc


def _has_description(annotation: object) -> bool:
    if get_origin(annotation) is not Annotated:
        return False
    return any(isinstance(extra, FieldInfo) and extra.description for extra in get_args(annotation)[1:])


def _parse_docstring(doc: str) -> Tuple[Optional[str], Dict[str, str]]:
    """The first paragraph, and the parameter descriptions of a Google-style `Args:` section."""
    lines = doc.splitlines()
    summary: List[str] = []
    for line in lines:
        if not line.strip() or _SECTION_HEADER.fullmatch(line.strip()):
            break
        summary.append(line.strip())
    documented: Dict[str, str] = {}
    for index, line in enumerate(lines):
        header = line.strip()
        if header.endswith(":") and header[:-1].strip().lower() in _ARGS_SECTIONS:
            documented.update(_parse_args_section(lines[index + 1 :], _indent(line)))
    return (" ".join(summary) or None), documented


def _parse_args_section(lines: List[str], header_indent: int) -> Dict[str, str]:
    documented: Dict[str, str] = {}
    entry_indent: Optional[int] = None
    current: Optional[str] = None
    for line in lines:
        if not line.strip():
            continue
        indent = _indent(line)
        if indent <= header_indent:
            break
        if entry_indent is None:
            entry_indent = indent
        match = _ARG_ENTRY.fullmatch(line.strip())
        if indent <= entry_indent and match:
            name, text = match.group(1) or "", match.group(2) or ""
            documented[name] = text.strip()
            current = name
        elif current is not None:
            documented[current] = f"{documented[current]} {line.strip()}".strip()
    return {name: text for name, text in documented.items() if text}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _strict_schema(schema: Dict[str, object]) -> Dict[str, object]:
    """Every object with properties gets all of them required and no additional properties."""

    def visit(node: object) -> object:
        if isinstance(node, dict):
            mapping = {key: visit(value) for key, value in cast(Dict[str, object], node).items()}
            properties = mapping.get("properties")
            if isinstance(properties, dict):
                mapping["required"] = list(cast(Dict[str, object], properties))
                mapping["additionalProperties"] = False
            return mapping
        if isinstance(node, list):
            return [visit(item) for item in cast(List[object], node)]
        return node

    return cast(Dict[str, object], visit(schema))
