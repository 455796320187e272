"""Sentinels and aliases used in signatures: `NotGiven`/`Omit`, headers, query and body types."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union, Mapping, TypeVar, Iterator, Optional, Sequence, overload
from typing_extensions import Literal, Protocol, TypedDict, SupportsIndex, final, override

import httpx

__all__ = [
    "NotGiven",
    "NOT_GIVEN",
    "not_given",
    "Omit",
    "omit",
    "Headers",
    "Query",
    "Body",
    "Timeout",
    "RequestOptions",
    "SequenceNotStr",
    "HeadersLike",
]

_T_co = TypeVar("_T_co", covariant=True)


@final
class NotGiven:
    """Marks an argument the caller did not pass, so it can be told apart from `None`.

    ```py
    client.chat.create_completion(messages=..., timeout=None)  # no timeout at all
    client.chat.create_completion(messages=...)                # the client's timeout
    ```
    """

    __slots__ = ()

    def __bool__(self) -> Literal[False]:
        return False

    @override
    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()
not_given = NOT_GIVEN


@final
class Omit:
    """Leaves a field out of the request entirely, e.g. to drop a default header:

    ```py
    client.with_options(default_headers={"X-Stainless-Lang": omit})
    ```
    """

    __slots__ = ()

    def __bool__(self) -> Literal[False]:
        return False

    @override
    def __repr__(self) -> str:
        return "omit"

    def __reduce__(self) -> str:
        return "omit"


omit = Omit()

Timeout = Union[float, httpx.Timeout, None]

Headers = Mapping[str, Union[str, Omit]]
HeadersLike = Union[Mapping[str, Union[str, Omit]], httpx.Headers]
Query = Mapping[str, object]
Body = object


class RequestOptions(TypedDict, total=False):
    """Per-call options of the undocumented-endpoint helpers (`client.get/post/...`)."""

    headers: Headers
    max_retries: int
    timeout: Union[float, httpx.Timeout, None]
    params: Query
    extra_json: Mapping[str, object]
    request_id: str
    total_timeout: Optional[float]


if TYPE_CHECKING:

    class SequenceNotStr(Protocol[_T_co]):
        """A sequence that is not a `str` (so `stop="abc"` can't be read as three stop strings)."""

        @overload
        def __getitem__(self, index: SupportsIndex, /) -> _T_co: ...
        @overload
        def __getitem__(self, index: slice, /) -> Sequence[_T_co]: ...
        def __contains__(self, value: object, /) -> bool: ...
        def __len__(self) -> int: ...
        def __iter__(self) -> Iterator[_T_co]: ...
        def index(self, value: Any, start: int = 0, stop: int = ..., /) -> int: ...
        def count(self, value: Any, /) -> int: ...
        def __reversed__(self) -> Iterator[_T_co]: ...

else:
    SequenceNotStr = Sequence
