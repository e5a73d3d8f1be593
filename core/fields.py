"""Serializer fields shared by the apps."""

from typing import Any

from rest_framework import serializers

from core.limits import iso_datetime_text, text_problem


class TextSlugRelatedField(serializers.SlugRelatedField):
    """A ``SlugRelatedField`` that refuses text no row can hold (NUL, lone surrogates) and
    over-long values before looking anything up: the database would fail on them."""

    def __init__(self, *, max_length: int = 150, **kwargs: Any):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            problem = text_problem(data)
            if problem:
                self.fail("invalid_text", problem=problem)
            if len(data) > self.max_length:
                self.fail("too_long", max_length=self.max_length)
        return super().to_internal_value(data)

    default_error_messages = {
        **serializers.SlugRelatedField.default_error_messages,
        "invalid_text": "{problem}.",
        "too_long": "Ensure this field has no more than {max_length} characters.",
    }


class StrictDateTimeField(serializers.DateTimeField):
    """A ``DateTimeField`` that refuses text around the date: the parsers underneath accept
    ``2026-01-31T00:00:00Z`` followed by a NUL and anything at all."""

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str) and not iso_datetime_text(value.strip()):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]")
        return super().to_internal_value(value)
