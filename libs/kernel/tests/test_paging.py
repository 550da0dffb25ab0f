"""Page sizes and tokens: defaults, limits, and tokens only this service issues."""

import base64

import pytest

from kernel.errors import ValidationFailed
from kernel.paging import PageRequest, next_page_token


def test_defaults_and_a_round_trip() -> None:
    first = PageRequest.parse(0, "")
    assert first == PageRequest(50, None)
    page = PageRequest.parse(2, "")
    token = next_page_token(["a", "b", "c"], page)
    assert PageRequest.parse(2, token) == PageRequest(2, "b")
    assert next_page_token(["a", "b"], page) == ""


@pytest.mark.parametrize("size", [-1, 101])
def test_a_size_out_of_range_is_refused(size: int) -> None:
    with pytest.raises(ValidationFailed) as raised:
        PageRequest.parse(size, "")
    assert [v.field for v in raised.value.violations] == ["page_size"]


@pytest.mark.parametrize(
    "token", ["garbage!", "bm90LWEtdG9rZW4=", base64.urlsafe_b64encode(b"k1:").decode(), "\u00e9"]
)
def test_a_token_not_issued_here_is_refused(token: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        PageRequest.parse(10, token)
    assert [v.field for v in raised.value.violations] == ["page_token"]
