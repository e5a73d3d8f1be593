"""Production file serving through nginx with X-Accel-Redirect, as the README configures it.

A real nginx (skipped when it is not installed) proxies to the live server with
``TANDEM_FILES_X_ACCEL_REDIRECT=/_protected/``: Tandem checks the caller and answers with the
header only; nginx sends the bytes from MEDIA_ROOT with Tandem's type and the file headers the
README's location adds. The internal location cannot be asked for directly.
"""

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client

from labeling.choices import ImportFormat, Role
from labeling.models import ImportJob
from tests.factories import ItemFactory, MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)
FILE_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'"
)
# The README's location block (keep the two the same).
PROTECTED_LOCATION = """
    location /_protected/ {{
        internal;
        alias {media_root}/;
        add_header X-Content-Type-Options "nosniff" always;
        add_header Content-Security-Policy "{csp}" always;
        add_header Cross-Origin-Resource-Policy "same-origin" always;
        add_header Referrer-Policy "same-origin" always;
        add_header X-Frame-Options "DENY" always;
    }}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx(live_server, settings, tmp_path) -> Iterator[str]:
    if not Path(NGINX).is_file():
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    settings.TANDEM_FILES_X_ACCEL_REDIRECT = "/_protected/"
    port = _free_port()
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
        (tmp_path / sub).mkdir()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    media_root.mkdir(parents=True, exist_ok=True)
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"""
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/logs/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass {live_server.url};
            proxy_set_header Host 127.0.0.1;
        }}
{PROTECTED_LOCATION.format(media_root=media_root, csp=FILE_CSP)}
    }}
}}
"""
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode()) from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def fetch(url: str, cookie: str = "") -> tuple[int, dict[str, str], bytes]:
    assert url.startswith(("http://127.0.0.1:", "http://localhost:"))
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def stored():
    project = ProjectFactory()
    user = UserFactory()
    MembershipFactory(project=project, user=user, role=Role.ADMIN)
    item = ItemFactory(project=project, text="")
    item.image.save("x.png", ContentFile(PNG), save=True)
    job = ImportJob(project=project, original_name="clients.csv", format=ImportFormat.CSV)
    job.file.save("clients.csv", ContentFile(b"text\nconfidential row\n"), save=True)
    client = Client()
    client.force_login(user)
    return {
        "image": f"/api/v1/projects/{project.pk}/items/{item.pk}/image/",
        "upload": f"/api/v1/projects/{project.pk}/imports/{job.pk}/file/",
        "image_name": item.image.name,
        "cookie": f"sessionid={client.cookies['sessionid'].value}",
    }


def test_nginx_sends_the_image_after_tandem_checked_the_caller(nginx, stored, live_server):
    status, headers, body = fetch(nginx + stored["image"], stored["cookie"])

    assert status == 200
    assert body == PNG
    assert headers["Content-Type"] == "image/png"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == FILE_CSP
    assert headers["Cache-Control"].startswith("private")
    assert "X-Accel-Redirect" not in headers
    # Tandem itself answered with the header and no bytes.
    status, headers, body = fetch(live_server.url + stored["image"], stored["cookie"])
    assert (status, body) == (200, b"")
    assert headers["X-Accel-Redirect"] == f"/_protected/{stored['image_name']}"


def test_nginx_sends_an_upload_as_an_attachment(nginx, stored):
    status, headers, body = fetch(nginx + stored["upload"], stored["cookie"])

    assert status == 200
    assert body == b"text\nconfidential row\n"
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"].startswith('attachment; filename="clients.csv"')


def test_nobody_reaches_the_files_without_tandem(nginx, stored):
    anonymous = fetch(nginx + stored["image"])
    direct = fetch(f"{nginx}/_protected/{stored['image_name']}", stored["cookie"])

    assert anonymous[0] in {401, 403}
    assert PNG not in anonymous[2]
    assert direct[0] == 404
    assert PNG not in direct[2]
    # (/media/ is not tried here: Django's live test server serves MEDIA_URL by itself; the
    # app does not, see tests/test_private_files.py.)
    assert settings.TANDEM_FILES_X_ACCEL_REDIRECT == "/_protected/"
