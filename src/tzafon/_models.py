"""The pydantic base class of every response model: lenient parsing, `to_dict()` / `to_json()`, the request id."""

from __future__ import annotations

from typing import Dict, Optional
from typing_extensions import Literal, override

import pydantic
from pydantic import ConfigDict

__all__ = ["BaseModel"]

_REQUEST_ID_KEY = "_request_id"


class BaseModel(pydantic.BaseModel):
    """A response object: every field the server sent, typed where the API documents it.

    Parsing is lenient so that a newer or older server never breaks it: fields this SDK does not
    know are kept (`model_extra`, attribute access, `to_dict()`), and fields the server left out
    read as their default, usually `None`. `model_fields_set` tells which fields were really sent.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        arbitrary_types_allowed=False,
        protected_namespaces=(),
        # Reuse key strings across parses, not values: content pieces rarely repeat, and caching
        # them costs more than it saves on a long stream.
        cache_strings="keys",
    )

    # `_request_id` lives in pydantic's private-attribute dict but is not declared with `PrivateAttr`:
    # a declared private attribute makes pydantic-core call back into Python for every model it builds,
    # nested ones included, which doubles the cost of parsing a chunk. Unset, it costs nothing.
    @property
    def _request_id(self) -> Optional[str]:
        """The id of the HTTP request that produced this object (`x-request-id`), when the server sent one."""
        private = self.__pydantic_private__
        if private is None:
            return None
        value: Optional[str] = private.get(_REQUEST_ID_KEY)
        return value

    @_request_id.setter
    def _request_id(self, value: Optional[str]) -> None:
        private = self.__pydantic_private__
        if private is None:
            if value is None:
                return
            private = {}
            object.__setattr__(self, "__pydantic_private__", private)
        private[_REQUEST_ID_KEY] = value

    def to_dict(
        self,
        *,
        mode: Literal["json", "python"] = "python",
        by_alias: Optional[bool] = None,
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        warnings: bool = True,
    ) -> Dict[str, object]:
        """The object as a plain dict, shaped like the JSON the server sent.

        By default only the fields the server sent are included (`exclude_unset=True`), unknown
        ones too, under the names the API uses.

        Args:
            mode: `"json"` gives only JSON-compatible values; `"python"` may give any Python object.
            by_alias: use the API's key names rather than the Python attribute names; overrides
                `use_api_names` when given.
            use_api_names: the same switch under the name the Stainless SDKs use. Defaults to `True`.
            exclude_unset: leave out fields the server did not send.
            exclude_defaults: leave out fields whose value equals their default.
            exclude_none: leave out fields whose value is `None`.
            warnings: report values that do not match their declared type while serialising.
        """
        return self.model_dump(
            mode=mode,
            by_alias=use_api_names if by_alias is None else by_alias,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
            warnings=warnings,
        )

    def to_json(
        self,
        *,
        indent: Optional[int] = 2,
        by_alias: Optional[bool] = None,
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        warnings: bool = True,
    ) -> str:
        """The object as a JSON string, shaped like the JSON the server sent (indented by default).

        Args:
            indent: spaces per indentation level; `None` gives compact output.
            by_alias: use the API's key names rather than the Python attribute names; overrides
                `use_api_names` when given.
            use_api_names: the same switch under the name the Stainless SDKs use. Defaults to `True`.
            exclude_unset: leave out fields the server did not send.
            exclude_defaults: leave out fields whose value equals their default.
            exclude_none: leave out fields whose value is `None`.
            warnings: report values that do not match their declared type while serialising.
        """
        return self.model_dump_json(
            indent=indent,
            by_alias=use_api_names if by_alias is None else by_alias,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
            warnings=warnings,
        )

    @override
    def __str__(self) -> str:
        # pydantic's own `__str__` drops the class name; keep it, as `repr()` does.
        return self.__repr__()
