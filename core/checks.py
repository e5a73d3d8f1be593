"""System checks for core's settings: a wrong value stops the process at start, by name."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def check_login_rates(app_configs, **kwargs):
    from core.throttling import parse_rate

    errors = []
    for name in ("TANDEM_LOGIN_RATE", "TANDEM_LOGIN_USERNAME_RATE"):
        try:
            parse_rate(getattr(settings, name))
        except ValueError as exc:
            errors.append(Error(f"{name}: {exc}", id="tandem.E001"))
    return errors


@register()
def check_trusted_proxies(app_configs, **kwargs):
    from core.net import trusted_proxies

    try:
        trusted_proxies()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="tandem.E002")]
    return []
