"""core.files: random names in, one checked response out."""

import re
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from core.exceptions import ApplicationError
from core.files import (
    ATTACHMENT_CSP,
    CACHE_NO_STORE,
    IMAGE_CSP,
    content_disposition,
    download_filename,
    file_response,
    file_store,
    files_removed_on_error,
    folder_delete,
    image_extension,
    random_name,
)

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)
RANDOM = re.compile(r"^items/7/[0-9a-f]{32}\.png$")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_random_names_are_unguessable_and_differ_each_time():
    names = {random_name("items/7", "png") for _ in range(50)}

    assert len(names) == 50
    assert all(RANDOM.match(name) for name in names)


@pytest.mark.parametrize("extension", ["html", "svg", "php"])
def test_random_name_keeps_a_plain_extension_it_is_given(extension):
    # The caller picks the extension from what the server verified; any plain one is kept...
    assert random_name("x", extension).endswith(f".{extension}")


FULLWIDTH_PNG = "\uff50\uff4e\uff47"


@pytest.mark.parametrize(
    "extension", ["", "png/../../etc", "p ng", "tar.gz", "x" * 9, FULLWIDTH_PNG]
)
def test_random_name_refuses_an_extension_that_is_not_plain(extension):
    # ...and anything else becomes "bin", so no extension can carry a path or a second dot.
    assert random_name("x", extension).endswith(".bin")


def test_random_name_drops_dot_segments_from_the_folder():
    assert random_name("../items/./3/..", "png").startswith("items/3/")


@pytest.mark.parametrize(
    ("pillow_format", "extension"),
    [("JPEG", "jpg"), ("PNG", "png"), ("GIF", "gif"), ("WEBP", "webp"), ("BMP", "bmp")],
)
def test_verified_image_formats_map_to_their_extension(pillow_format, extension):
    assert image_extension(pillow_format) == extension


@pytest.mark.parametrize("pillow_format", ["SVG", "TIFF", "ICO", "", "HTML"])
def test_other_formats_are_stored_as_bin(pillow_format):
    assert image_extension(pillow_format) == "bin"


@pytest.mark.parametrize(
    ("uploaded", "offered"),
    [
        ("report.csv", "report.csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\eve\\x.csv", "x.csv"),
        ('a"; filename="evil.html', "a_ filename=_evil.html"),
        ("line\r\nSet-Cookie: x=1.csv", "lineSet-Cookie_ x=1.csv"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("...", "download"),
        ("", "download"),
    ],
)
def test_download_names_are_sanitised(uploaded, offered):
    assert download_filename(uploaded) == offered


def test_content_disposition_offers_an_ascii_name_and_the_exact_utf8_one():
    header = content_disposition("attachment", "Übersicht 2024.csv")

    assert header == (
        "attachment; filename=\"Ubersicht 2024.csv\"; filename*=UTF-8''%C3%9Cbersicht%202024.csv"
    )


def test_an_image_is_served_inline_with_the_type_of_its_stored_extension():
    name = file_store(folder="items/7", extension="png", content=PNG)

    response = file_response(file=name, as_image=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline"
    assert response["Content-Security-Policy"] == IMAGE_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    assert body(response) == PNG


@pytest.mark.parametrize("extension", ["svg", "html", "bin", "txt"])
def test_a_file_without_a_verified_image_extension_is_never_served_inline(extension):
    name = file_store(folder="items/7", extension=extension, content=b"<script>alert(1)</script>")

    response = file_response(file=name, as_image=True, download_name="cat.svg")

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith('attachment; filename="cat.svg"')
    assert response["Content-Security-Policy"] == ATTACHMENT_CSP
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_attachment_keeps_its_cache_control():
    name = file_store(folder="imports/7", extension="csv", content=b"text\nhello\n")

    response = file_response(
        file=name, as_image=False, download_name="x.csv", cache_control=CACHE_NO_STORE
    )

    assert response["Cache-Control"] == CACHE_NO_STORE
    assert body(response) == b"text\nhello\n"


def test_a_file_missing_from_storage_is_a_404():
    with pytest.raises(ApplicationError) as refused:
        file_response(file="items/7/" + "0" * 32 + ".png", as_image=True)

    assert refused.value.status_code == 404


def test_with_x_accel_redirect_the_web_server_sends_the_bytes(settings):
    settings.TANDEM_FILES_X_ACCEL_REDIRECT = "/_protected/"
    name = file_store(folder="items/7", extension="png", content=PNG)

    response = file_response(file=name, as_image=True)

    assert response["X-Accel-Redirect"] == f"/_protected/{name}"
    assert response.content == b""
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"] == IMAGE_CSP


def test_files_stored_in_a_block_that_fails_are_removed():
    kept = file_store(folder="items/7", extension="png", content=PNG)

    stored: list[str] = []

    def failing_batch() -> None:
        with files_removed_on_error():
            stored.append(file_store(folder="items/7", extension="png", content=PNG))
            raise RuntimeError("the batch could not be saved")

    with pytest.raises(RuntimeError):
        failing_batch()
    [lost] = stored

    assert default_storage.exists(kept)
    assert not default_storage.exists(lost)


def test_files_stored_in_a_block_that_succeeds_stay():
    with files_removed_on_error():
        name = file_store(folder="items/7", extension="png", content=PNG)

    assert default_storage.exists(name)


def test_folder_delete_removes_everything_under_the_folder_and_nothing_beside_it(settings):
    inside = [file_store(folder=f"items/7/{sub}", extension="png", content=PNG) for sub in "ab"]
    beside = file_store(folder="items/77", extension="png", content=PNG)

    assert folder_delete("items/7") == 2

    assert not any(default_storage.exists(name) for name in inside)
    assert default_storage.exists(beside)
    assert not (Path(settings.MEDIA_ROOT) / "items" / "7").exists()
    assert folder_delete("items/7") == 0
