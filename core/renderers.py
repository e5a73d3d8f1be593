"""The API's JSON renderer: UTF-8 as usual, escaped when the data holds a lone surrogate.

An error message may quote what the client sent ("\\ud800" is not a valid choice); a lone
surrogate cannot be encoded as UTF-8, so such a body is written with \\u escapes instead of
failing as a server error.
"""

from typing import Any

from rest_framework import renderers


class _AsciiJSONRenderer(renderers.JSONRenderer):
    ensure_ascii = True


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data: Any, accepted_media_type=None, renderer_context=None) -> bytes:
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return _AsciiJSONRenderer().render(data, accepted_media_type, renderer_context)
