import datetime as dt

import pytest

from kernel.errors import ValidationFailed
from kernel.grpc.fields import optional, parse_date


def test_a_date_field_is_read_defaulted_or_refused_by_name() -> None:
    assert parse_date("as_of", "2025-04-01") == dt.date(2025, 4, 1)
    assert parse_date("as_of", "", default=dt.date(2024, 1, 1)) == dt.date(2024, 1, 1)
    for text, problem in (("", "is required"), ("1 April", "must be an ISO date")):
        with pytest.raises(ValidationFailed) as refused:
            parse_date("start_date", text)
        [violation] = refused.value.violations
        assert violation.field == "start_date"
        assert problem in violation.description


def test_an_empty_string_is_not_given() -> None:
    assert (optional(""), optional("x")) == (None, "x")
