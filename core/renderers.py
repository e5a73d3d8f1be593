"""The API's JSON renderer: UTF-8 as usual, escaped when the data holds a lone surrogate.

An error message may quote what the client sent ("\\ud800" is not a valid choice); a lone
surrogate cannot be encoded as UTF-8, so such a body is written with \\u escapes instead of
failing as a server error.
"""

from typing import Any

from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data: Any, accepted_media_type=None, renderer_context=None) -> bytes:
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            self.ensure_ascii = True
            return super().render(data, accepted_media_type, renderer_context)
