"""The API's JSON parser: orjson, with a nesting-depth limit (the default parser)."""

from __future__ import annotations

import codecs
import json
from typing import Any

import orjson
from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer

from core.limits import json_depth_exceeds, json_too_deep_message


def json_loads_limited(data: bytes | str, *, max_depth: int | None = None) -> Any:
    """Parse JSON, refusing values nested deeper than ``TANDEM_JSON_MAX_DEPTH``.

    Raises ``ValueError`` with a message for people. A lone surrogate escape (``"\\ud800"``)
    is parsed, not refused here, so the field it sits in can be named by validation.
    """
    limit = settings.TANDEM_JSON_MAX_DEPTH if max_depth is None else max_depth
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "surrogate" not in str(exc):
            if "depth" in str(exc) or "recursion" in str(exc):
                raise ValueError(json_too_deep_message(limit)) from exc
            raise ValueError(f"JSON parse error: {exc}") from exc
        # orjson refuses lone surrogate escapes outright; the standard library reads them.
        try:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
            value = json.loads(text)
        except RecursionError as inner:
            raise ValueError(json_too_deep_message(limit)) from inner
        except ValueError as inner:
            raise ValueError(f"JSON parse error: {inner}") from inner
    if json_depth_exceeds(value, limit):
        raise ValueError(json_too_deep_message(limit))
    return value


class JSONParser(BaseParser):
    """``application/json`` bodies; deeper than ``TANDEM_JSON_MAX_DEPTH`` is a 400."""

    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        data = stream.read() if stream is not None else b""
        charset = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            if codecs.lookup(charset).name != "utf-8":
                data = data.decode(charset)
        except (LookupError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error: the body is not {charset} text.") from exc
        try:
            return json_loads_limited(data)
        except ValueError as exc:
            message = str(exc)
            if message.startswith("JSON parse error"):
                raise ParseError(message) from exc
            raise JsonTooDeep(message, limit=settings.TANDEM_JSON_MAX_DEPTH) from exc


class JsonTooDeep(ParseError):
    """400 naming the depth limit (``extra.limit_depth``)."""

    def __init__(self, message: str, *, limit: int):
        super().__init__(message)
        self.extra = {"limit_depth": limit}
