"""Production settings: the default, no built-in secrets or hosts, and Django's deployment
checks pass; local settings serve this machine only."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    """The current environment minus anything that would configure production for us."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    # Settings create their data folders on import; keep them out of the repository.
    env["TANDEM_DATA_DIR"] = str(tmp_path / "data")
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_settings(env):
    return run(["-c", "import django; django.setup()"], env)


def test_production_settings_refuse_to_load_without_a_secret_key(production_env):
    production_env["ALLOWED_HOSTS"] = "tandem.example.org"

    result = load_settings(production_env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_settings_refuse_an_empty_secret_key(production_env):
    production_env.update(SECRET_KEY="", ALLOWED_HOSTS="tandem.example.org")

    result = load_settings(production_env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_settings_refuse_to_load_without_allowed_hosts(production_env):
    production_env["SECRET_KEY"] = secrets.token_urlsafe(64)

    result = load_settings(production_env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS must be set in production" in result.stderr


def test_production_settings_load_when_both_are_given_and_debug_stays_off(production_env):
    production_env.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="tandem.example.org,www.example.org",
        DEBUG="true",
    )

    result = run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
        ],
        production_env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "['tandem.example.org',",
        "'www.example.org']",
        "True",
        "True",
    ]


def test_deploy_check_passes_under_production_settings(production_env):
    production_env.update(SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="tandem.example.org")
    assert len(production_env["SECRET_KEY"]) >= 50

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_on_a_short_secret_key(production_env):
    """The check is not a rubber stamp: a weak key is reported."""
    production_env.update(SECRET_KEY="short", ALLOWED_HOSTS="tandem.example.org")

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


# --- safe defaults: production unless told otherwise ---------------------------------------------


@pytest.fixture
def bare_env(tmp_path) -> dict[str, str]:
    """A clean environment, as a process manager would give: no settings module, no secrets."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TANDEM_DATA_DIR": str(tmp_path / "data"),
    }


NO_SECRET = "SECRET_KEY must be set in production"


@pytest.mark.parametrize(
    "entry_point",
    [
        pytest.param(["manage.py", "check"], id="manage.py"),
        pytest.param(["manage.py", "migrate"], id="manage.py migrate"),
        pytest.param(["-c", "import config.wsgi"], id="config.wsgi"),
        pytest.param(
            ["-c", "from config import celery_app; celery_app.loader.import_default_modules()"],
            id="celery",
        ),
    ],
)
def test_a_process_without_a_settings_module_runs_production_and_refuses_without_a_secret(
    bare_env, entry_point
):
    bare_env["ALLOWED_HOSTS"] = "tandem.example.org"

    result = run(entry_point, bare_env)

    assert result.returncode != 0
    assert NO_SECRET in result.stderr
    assert "make run" in result.stderr  # says what to do on a laptop
    assert not (Path(bare_env["TANDEM_DATA_DIR"]) / "tandem.sqlite3").exists()


def test_manage_py_says_why_it_cannot_start_in_one_line(bare_env):
    result = run(["manage.py", "runserver"], bare_env)

    assert result.returncode == 1
    assert result.stderr.startswith("Tandem cannot start: SECRET_KEY must be set in production")
    assert "Traceback" not in result.stderr


def test_manage_py_refuses_without_allowed_hosts(bare_env):
    bare_env["SECRET_KEY"] = secrets.token_urlsafe(64)

    result = run(["manage.py", "check"], bare_env)

    assert result.returncode == 1
    assert "ALLOWED_HOSTS must be set in production" in result.stderr


def test_the_default_settings_are_production_when_secrets_are_given(bare_env):
    bare_env.update(SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="tandem.example.org")

    result = run(
        [
            "-c",
            "import config, os, django; django.setup(); from django.conf import settings as s; "
            "print(os.environ['DJANGO_SETTINGS_MODULE'], s.DEBUG, s.TANDEM_LOOPBACK_ONLY)",
        ],
        bare_env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.production", "False", "False"]


def test_deploy_check_is_clean_with_only_the_documented_variables(bare_env):
    """The README's production set-up: SECRET_KEY and ALLOWED_HOSTS, nothing else."""
    bare_env.update(SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="tandem.example.org")

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], bare_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


# --- local settings: this machine only -----------------------------------------------------------


@pytest.fixture
def local_env(bare_env) -> dict[str, str]:
    bare_env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    return bare_env


@pytest.mark.parametrize("addrport", ["0.0.0.0:8000", "0:8000", "[::]:8000", "192.0.2.1:8000"])
def test_runserver_under_local_settings_refuses_to_listen_beyond_this_machine(local_env, addrport):
    result = run(["manage.py", "runserver", addrport, "--noreload", "--skip-checks"], local_env)

    assert result.returncode != 0
    assert "serve this machine only: bind to 127.0.0.1" in result.stderr


def test_runtandem_under_local_settings_refuses_to_bind_all_interfaces(local_env):
    result = run(["manage.py", "runtandem", "--bind", "0.0.0.0:8000", "--no-demo"], local_env)

    assert result.returncode != 0
    assert "serve this machine only: bind to 127.0.0.1" in result.stderr
    # Refused before doing anything: no database was migrated.
    assert not (Path(local_env["TANDEM_DATA_DIR"]) / "tandem.sqlite3").exists()


def test_runserver_under_local_settings_serves_on_loopback(local_env):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=REPO_ROOT,
        env=local_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 60
        while status is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v1/auth/csrf/", timeout=2
                ) as response:
                    status = response.status
            except OSError:
                time.sleep(0.3)
        assert status == 200, server.stderr.read() if server.poll() is not None else "timeout"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
