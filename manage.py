#!/usr/bin/env python
"""Django's command-line entry point for Tandem."""

import os
import sys


def main() -> None:
    # Production unless told otherwise: `make run` sets config.settings.local itself.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings: refuse now, in one line
    except ImproperlyConfigured as exc:
        sys.exit(f"Tandem cannot start: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
