"""Production settings: no built-in secrets or hosts, and Django's deployment checks pass."""

import os
import secrets
import subprocess
import sys
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
