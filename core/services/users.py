"""Accounts: admins create or invite users; people sign in, out, and manage an API token."""

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from core.exceptions import ApplicationError
from core.services.audit import audit_record


def invitation_path(*, user: User) -> str:
    """A one-time link path to set a password; it stops working once the password is set.

    The uid and token travel in the URL fragment (after ``#``), which browsers never send to
    a server: they stay out of access logs, proxies and ``Referer`` headers. The SPA reads
    them from ``location.hash`` and posts them to the accept endpoint.
    """
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"/accept-invite#uid={uid}&token={token}"


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str = "",
    password: str | None = None,
    is_staff: bool = False,
    created_by: User | None = None,
) -> User:
    """Create a user. Without a password the user is invited: they set one through the link.

    Side effects: audit ``user.create`` by ``created_by`` (the username, email, staff flag and
    whether the user was invited; never the password).
    """
    if password:
        validate_password(password)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, email=email, password=password or None, is_staff=is_staff
            )
    except IntegrityError as exc:
        raise ApplicationError(f"The username {username!r} is taken.", status_code=409) from exc
    audit_record(
        actor=created_by,
        action="user.create",
        object_type="auth.user",
        object_id=user.pk,
        after={
            "username": user.username,
            "email": user.email,
            "is_staff": user.is_staff,
            "invited": not password,
        },
    )
    return user


@transaction.atomic
def invitation_accept(*, uid: str, token: str, password: str) -> User:
    """Set the invited user's password (the link then stops working).

    Side effects: audit ``user.invitation_accept`` by the user.
    """
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uid)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise ApplicationError("This invitation link is not valid.") from exc
    if not default_token_generator.check_token(user, token):
        raise ApplicationError("This invitation link is not valid or was already used.")
    validate_password(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=user,
        action="user.invitation_accept",
        object_type="auth.user",
        object_id=user.pk,
        after={"username": user.username},
    )
    return user
