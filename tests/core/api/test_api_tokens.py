"""API tokens: the key is shown once and only its hash is stored; wrong, revoked and replaced
tokens get 401; tokens DRF stored in plain text keep working after the migration."""

import hashlib

import pytest
from django.apps import apps
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.models.functions import Cast
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import ApiToken, AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def create_token(api, user) -> dict:
    response = api.as_user(user).post("/api/v1/auth/token/")
    assert response.status_code == 201, response.json()
    return response.json()


def rows_holding(text: str) -> list[str]:
    """Every stored value, in every table Tandem's models map, that contains ``text``."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                hits = model._default_manager.filter(**{f"{field.attname}__contains": text})
            elif isinstance(field, models.JSONField):
                hits = model._default_manager.annotate(
                    _as_text=Cast(field.attname, models.TextField())
                ).filter(_as_text__contains=text)
            else:
                continue
            if hits.exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def refused(response) -> None:
    assert response.status_code == 401, response.content
    assert response.headers["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"message", "extra"}


def test_the_key_is_shown_once_and_the_database_holds_only_its_hash(api):
    user = UserFactory(username="bot")

    created = create_token(api, user)
    shown_again = api.as_user(user).get("/api/v1/auth/token/")

    key = created["token"]
    assert key.startswith("tdu_")
    assert len(key) > 40
    assert created["prefix"] == key[:12]
    assert shown_again.status_code == 200
    assert shown_again.json() == {
        "prefix": key[:12],
        "created_at": created["created_at"],
        "last_used_at": None,
    }
    assert key not in shown_again.content.decode()
    row = ApiToken.objects.get(user=user)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in repr(list(ApiToken.objects.filter(pk=row.pk).values()))
    assert rows_holding(key) == []
    assert rows_holding(key[12:]) == []  # not even the secret part
    assert AuditEvent.objects.filter(action="api_token.create", actor=user).exists()


def test_the_token_authenticates_and_records_when_it_was_used(api):
    user = UserFactory(username="bot")
    key = create_token(api, user)["token"]

    me = token_client(key).get("/api/v1/auth/me/")

    assert me.status_code == 200
    assert me.json()["username"] == "bot"
    assert ApiToken.objects.get(user=user).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        "Token tdu_not-a-real-key",
        "Token ",
        "Token two words",
        "Token " + "x" * 5000,
        "Token \u00e9t\u00e9",
    ],
)
def test_a_wrong_or_malformed_token_is_refused_with_401(api, header):
    key = create_token(api, UserFactory())["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.replace("tdu_not-a-real-key", key[:-1] + "!"))

    response = client.get("/api/v1/auth/me/")

    refused(response)
    assert ApiToken.objects.get().last_used_at is None


def test_a_revoked_token_is_refused_with_401_and_deleted(api):
    user = UserFactory()
    key = create_token(api, user)["token"]

    revoked = api.as_user(user).delete("/api/v1/auth/token/")

    assert revoked.status_code == 204
    refused(token_client(key).get("/api/v1/auth/me/"))
    assert not ApiToken.objects.filter(user=user).exists()
    assert api.as_user(user).get("/api/v1/auth/token/").status_code == 404
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=user).exists()


def test_a_replaced_token_is_refused_with_401(api):
    user = UserFactory()
    old = create_token(api, user)["token"]

    new = create_token(api, user)["token"]

    refused(token_client(old).get("/api/v1/auth/me/"))
    assert token_client(new).get("/api/v1/auth/me/").status_code == 200
    assert ApiToken.objects.filter(user=user).count() == 1


def test_the_token_of_a_deactivated_user_is_refused(api):
    user = UserFactory()
    key = create_token(api, user)["token"]
    user.is_active = False
    user.save()

    refused(token_client(key).get("/api/v1/auth/me/"))


def test_a_token_cannot_create_itself_a_session_or_be_read_back(api):
    user = UserFactory()
    key = create_token(api, user)["token"]

    info = token_client(key).get("/api/v1/auth/token/")

    assert info.status_code == 200
    assert "token" not in info.json()
    assert "sessionid" not in info.cookies


# --- the migration from DRF's plaintext table --------------------------------------------------

LEGACY_DDL = {
    "postgresql": (
        "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
        "created timestamp with time zone NOT NULL, "
        "user_id integer NOT NULL UNIQUE REFERENCES auth_user (id))"
    ),
    "sqlite": (
        'CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, '
        '"created" datetime NOT NULL, "user_id" integer NOT NULL UNIQUE '
        'REFERENCES "auth_user" ("id"))'
    ),
}
BEFORE = [("core", "0002_audit_append_only")]
AFTER = [("core", "0003_api_token_hashed")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_plaintext_tokens_into_hashes_that_keep_working():
    user = UserFactory(username="script")
    legacy_key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # DRF's format: 40 hex digits
    issued = timezone.now() - timezone.timedelta(days=30)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(LEGACY_DDL[connection.vendor])
            cursor.execute(
                "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
                [legacy_key, issued, user.pk],
            )
            cursor.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, %s)",
                ["authtoken", "0001_initial", issued],
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)

    assert "authtoken_token" not in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = %s", ["authtoken"])
        assert cursor.fetchone()[0] == 0
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hashlib.sha256(legacy_key.encode()).hexdigest()
    assert token.prefix == legacy_key[:8]
    assert abs((token.created_at - issued).total_seconds()) < 1
    assert rows_holding(legacy_key) == []
    me = token_client(legacy_key).get("/api/v1/auth/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "script"
