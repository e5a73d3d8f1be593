"""The image reader on its own: image files and zips in, rows with image bytes (or errors) out.

The zip limits on entries and uncompressed bytes are exercised end to end in
tests/labeling/api/test_import_zip_limits.py.
"""

import io
import stat
import zipfile

from PIL import Image

from labeling.services.imports.readers.image_reader import ImageReader


def image_bytes(fmt="PNG", size=(40, 30), mode="RGB") -> bytes:
    out = io.BytesIO()
    colour = (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)
    Image.new(mode, size, colour).save(out, format=fmt)
    return out.getvalue()


def _zip(tmp_path, entries):
    path = tmp_path / "upload.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.external_attr = mode << 16
            archive.writestr(info, data)
    return path


def test_image_reader_reports_folders_and_refuses_unsafe_entries(tmp_path):
    png = image_bytes()
    path = _zip(
        tmp_path,
        [
            ("cat/one.png", png, None),
            ("nested/dog/two.png", png, None),
            ("root.png", png, None),
            ("../evil.png", png, None),
            ("/absolute.png", png, None),
            ("link.png", b"/etc/passwd", stat.S_IFLNK | 0o777),
            ("notes.txt", b"hello", None),
            ("__MACOSX/cat/._one.png", b"junk", None),
            ("cat/.hidden.png", png, None),
        ],
    )
    reader = ImageReader(str(path), filename="upload.zip", max_bytes=1_000_000)

    rows = list(reader)

    good = [(r.external_id, r.folder) for r in rows if not r.error]
    assert good == [("cat/one.png", "cat"), ("nested/dog/two.png", "dog"), ("root.png", None)]
    errors = [r.error for r in rows if r.error]
    assert errors == [
        "../evil.png: path leaves the archive (absolute or '..'); nothing was written",
        "/absolute.png: path leaves the archive (absolute or '..'); nothing was written",
        "link.png: symbolic links are not allowed in an import zip",
        "notes.txt: not an image file name",
    ]
    assert reader.bytes_read > 0


def test_image_reader_refuses_entries_over_the_byte_limit(tmp_path):
    path = _zip(tmp_path, [("big.png", image_bytes(size=(300, 300)), None)])

    rows = list(ImageReader(str(path), filename="upload.zip", max_bytes=100))

    assert rows[0].error == "big.png: larger than 100 bytes"


def test_image_reader_reads_a_single_image_file(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(image_bytes("JPEG"))

    rows = list(ImageReader(str(path), filename="photo.jpg", max_bytes=1_000_000))

    assert [(r.line, r.external_id, r.image_bytes is not None) for r in rows] == [
        (1, "photo.jpg", True),
    ]


def test_image_reader_reports_a_damaged_zip_entry_and_reads_the_rest(tmp_path):
    png = image_bytes()
    path = _zip(tmp_path, [("damaged.png", png, None), ("fine.png", png, None)])
    data = bytearray(path.read_bytes())
    start = data.index(png)  # stored uncompressed: corrupt the first entry's bytes
    data[start + 20 : start + 30] = b"\xff" * 10
    path.write_bytes(bytes(data))

    rows = list(ImageReader(str(path), filename="upload.zip", max_bytes=1_000_000))

    assert [r.external_id for r in rows if not r.error] == ["fine.png"]
    [damaged] = [r for r in rows if r.error]
    assert damaged.error.startswith("damaged.png: cannot be read")
    assert "CRC" in damaged.error
