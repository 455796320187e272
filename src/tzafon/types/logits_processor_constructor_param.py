"""A logits processor given by qualified name plus constructor arguments."""

from typing import Dict, Iterable, Optional
from typing_extensions import Required, TypedDict

__all__ = ["LogitsProcessorConstructorParam"]


class LogitsProcessorConstructorParam(TypedDict, total=False):
    """A logits processor to build on the server, e.g. `{'qualname': 'my_module.MyLogitsProcessor', 'args': [1, 2]}`."""

    qualname: Required[str]
    """The qualified name of the processor class or factory."""

    args: Optional[Iterable[object]]
    """Positional arguments for the constructor."""

    kwargs: Optional[Dict[str, object]]
    """Keyword arguments for the constructor."""
