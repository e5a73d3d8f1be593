"""Image checks both apps use: is this a whole, reasonably sized image of a format we accept,
and what does its thumbnail look like.

Pure Python with Pillow (imported inside the function, so a web process that never checks an
image does not load it); no Django, no app imports. Labeling's import readers and moderation's
intake and hash bank call ``check_image``.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

# What Pillow reports for the formats Tandem accepts (``core.files`` stores each under its own
# extension).
ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "BMP"}


@dataclass(slots=True)
class CheckedImage:
    format: str
    width: int
    height: int
    thumbnail: bytes
    thumbnail_ext: str


def check_image(data: bytes, *, max_pixels: int, thumb_size: int = 256) -> CheckedImage:
    """Verify bytes are a whole, reasonably sized image and make a thumbnail.

    Raises ValueError with a message for the import report. The pixel count is checked from
    the header before any pixel is decoded, which is what stops decompression bombs.
    """
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format or ""
                width, height = probe.size
                if fmt not in ALLOWED_IMAGE_FORMATS:
                    raise ValueError(f"unsupported image format {fmt or 'unknown'}")
                if width * height > max_pixels:
                    raise ValueError(
                        f"image is {width}x{height} pixels; the limit is {max_pixels:,} pixels"
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image.thumbnail((thumb_size, thumb_size))
                has_alpha = image.mode in ("RGBA", "LA", "P")
                converted = image.convert("RGBA" if has_alpha else "RGB")
                out = io.BytesIO()
                if has_alpha:
                    converted.save(out, format="PNG", optimize=True)
                    ext = "png"
                else:
                    converted.save(out, format="JPEG", quality=85)
                    ext = "jpg"
        except UnidentifiedImageError as exc:
            raise ValueError("not an image (Pillow cannot identify it)") from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValueError(f"rejected as a decompression bomb: {exc}") from exc
        except (OSError, SyntaxError) as exc:
            raise ValueError(f"broken or truncated image: {exc}") from exc
    return CheckedImage(
        format=fmt, width=width, height=height, thumbnail=out.getvalue(), thumbnail_ext=ext
    )
