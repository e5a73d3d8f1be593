"""core.images.check_image: whole images of the accepted formats pass with a thumbnail;
anything else is refused with a reason, decompression bombs before any pixel is decoded."""

import io
import struct
import zlib

import pytest
from PIL import Image

from core.images import check_image


def image_bytes(fmt="PNG", size=(40, 30), mode="RGB") -> bytes:
    out = io.BytesIO()
    colour = (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)
    Image.new(mode, size, colour).save(out, format=fmt)
    return out.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A valid 1x1 PNG whose header (with a correct CRC) claims another size."""
    data = bytearray(image_bytes(size=(1, 1)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


@pytest.mark.parametrize(
    ("fmt", "mode", "thumb"),
    [
        ("PNG", "RGB", "jpg"),
        ("JPEG", "RGB", "jpg"),
        ("PNG", "RGBA", "png"),
        ("GIF", "P", "png"),
        ("WEBP", "RGB", "jpg"),
        ("BMP", "RGB", "jpg"),
    ],
)
def test_check_image_accepts_common_formats_and_makes_a_small_thumbnail(fmt, mode, thumb):
    data = image_bytes(fmt, size=(600, 300), mode="RGB" if mode == "P" else mode)

    checked = check_image(data, max_pixels=1_000_000)

    assert (checked.format, checked.width, checked.height) == (fmt, 600, 300)
    assert checked.thumbnail_ext == thumb
    with Image.open(io.BytesIO(checked.thumbnail)) as thumbnail:
        assert max(thumbnail.size) == 256


def test_check_image_rejects_bytes_that_are_not_an_image():
    with pytest.raises(ValueError, match="not an image"):
        check_image(b"<html>not a picture</html>", max_pixels=1_000_000)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_check_image_rejects_a_truncated_image(fmt):
    data = image_bytes(fmt, size=(300, 300))
    if fmt == "JPEG":
        out = io.BytesIO()
        Image.effect_noise((300, 300), 60).convert("RGB").save(out, format="JPEG")
        data = out.getvalue()

    with pytest.raises(ValueError, match="truncated"):
        check_image(data[: len(data) // 2], max_pixels=1_000_000)


def test_check_image_rejects_a_header_claiming_a_huge_size_without_decoding_it():
    with pytest.raises(ValueError, match="decompression bomb"):
        check_image(png_claiming_size(100_000, 100_000), max_pixels=50_000_000)


def test_check_image_enforces_the_configured_pixel_limit():
    with pytest.raises(ValueError, match="image is 40x30 pixels; the limit is 1,000 pixels"):
        check_image(image_bytes(size=(40, 30)), max_pixels=1_000)


def test_check_image_rejects_formats_outside_the_allowed_list():
    with pytest.raises(ValueError, match="unsupported image format TIFF"):
        check_image(image_bytes("TIFF"), max_pixels=1_000_000)
