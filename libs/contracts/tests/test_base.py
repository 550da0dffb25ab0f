from typing import ClassVar

import pytest
from pydantic import ValidationError

from contracts import IntegrationEvent, cloudevents_type


class SomethingPublished(IntegrationEvent):
    event_type: ClassVar[str] = "example.SomethingPublished"
    version: ClassVar[int] = 2
    pence: int


def test_an_event_names_its_cloudevents_type_with_its_version() -> None:
    assert cloudevents_type(SomethingPublished) == "example.SomethingPublished.v2"


def test_unknown_fields_and_wrong_types_are_refused() -> None:
    assert SomethingPublished.model_validate({"pence": 25000}).pence == 25000
    with pytest.raises(ValidationError):
        SomethingPublished.model_validate({"pence": 25000, "extra": 1})
    with pytest.raises(ValidationError):
        SomethingPublished.model_validate({"pence": "lots"})
