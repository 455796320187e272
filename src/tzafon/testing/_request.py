"""The record of one request the test server received, kept for assertions."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple, Mapping, Iterator, Sequence
from dataclasses import dataclass
from typing_extensions import override

__all__ = ["RequestHeaders", "RecordedRequest"]


class RequestHeaders(Mapping[str, str]):
    """Request headers, looked up case-insensitively; repeated headers are joined with `", "`."""

    def __init__(self, raw: Sequence[Tuple[str, str]]) -> None:
        self.raw: List[Tuple[str, str]] = list(raw)
        merged: Dict[str, Tuple[str, str]] = {}
        for name, value in self.raw:
            key = name.lower()
            if key in merged:
                first_name, first_value = merged[key]
                merged[key] = (first_name, f"{first_value}, {value}")
            else:
                merged[key] = (name, value)
        self._merged = merged

    @override
    def __getitem__(self, key: str) -> str:
        return self._merged[key.lower()][1]

    @override
    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._merged

    @override
    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._merged.values())

    @override
    def __len__(self) -> int:
        return len(self._merged)

    def get_all(self, key: str) -> List[str]:
        """Every value sent for `key`, in order."""
        wanted = key.lower()
        return [value for name, value in self.raw if name.lower() == wanted]

    @override
    def __repr__(self) -> str:
        return f"RequestHeaders({dict(self)!r})"


@dataclass
class RecordedRequest:
    """One request as received: `path` has no query string; `json` is the parsed body or `None`.

    `completed` turns true once the whole response was handed to the socket; it stays false when
    the client went away first, or when the script cut or reset the response.
    """

    method: str
    path: str
    query: str
    headers: RequestHeaders
    body: bytes
    json: Any = None
    completed: bool = False
    received_at: float = 0.0
    http_version: str = "HTTP/1.1"

    @classmethod
    def build(
        cls,
        *,
        method: str,
        path: str,
        query: str,
        headers: RequestHeaders,
        body: bytes,
        received_at: float,
        http_version: str,
    ) -> RecordedRequest:
        parsed: Any = None
        if body:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        return cls(
            method=method,
            path=path,
            query=query,
            headers=headers,
            body=body,
            json=parsed,
            received_at=received_at,
            http_version=http_version,
        )

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")
