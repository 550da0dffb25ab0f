"""Keyset paging for every list: a page size and an opaque token naming the last key served.

Tokens are opaque to clients (base64 of a versioned key) so the paging scheme can change
without breaking them; a malformed token or size is the caller's error, with its field named.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from kernel.errors import ValidationFailed

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
_PREFIX = "k1:"


@dataclass(frozen=True, slots=True)
class PageRequest:
    """At most ``size`` items with keys after ``after`` (None: from the first)."""

    size: int
    after: str | None

    @classmethod
    def parse(cls, page_size: int, page_token: str) -> PageRequest:
        """Read a request's ``page_size`` (0 = default) and ``page_token`` ("" = first page).

        Raises:
            ValidationFailed: a size outside 0..100 or a token this service did not issue.
        """
        if not 0 <= page_size <= MAX_PAGE_SIZE:
            raise ValidationFailed.single("page_size", f"must be between 0 and {MAX_PAGE_SIZE}")
        return cls(page_size or DEFAULT_PAGE_SIZE, _decode(page_token) if page_token else None)


def next_page_token(keys: list[str], request: PageRequest) -> str:
    """The token for the page after one whose item keys are ``keys`` ("" when it was the last).

    Callers fetch ``size + 1`` items and pass the keys of all of them: the extra one only says
    whether another page exists.
    """
    if len(keys) <= request.size:
        return ""
    return base64.urlsafe_b64encode(f"{_PREFIX}{keys[request.size - 1]}".encode()).decode()


def _decode(token: str) -> str:
    try:
        text = base64.urlsafe_b64decode(token.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    if not text.startswith(_PREFIX) or len(text) == len(_PREFIX):
        raise ValidationFailed.single("page_token", "is not a token this service issued")
    return text[len(_PREFIX) :]
