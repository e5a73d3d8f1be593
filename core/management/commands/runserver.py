"""``runserver`` that, under the local settings, refuses to listen beyond this machine.

The local settings run with DEBUG on and a public development SECRET_KEY: reachable from a
network, they would show debug pages and let anyone forge sessions. WhiteNoise's runserver
(no static handler: WhiteNoise serves static files) is the one extended.
"""

from django.conf import settings
from django.core.management.base import CommandError
from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as RunserverCommand,
)

from core.net import BIND_REFUSED_MESSAGE, host_is_loopback


class Command(RunserverCommand):
    def run(self, **options):
        # handle() has parsed ADDRPORT into self.addr (IPv6 without brackets; "0" = all).
        if settings.TANDEM_LOOPBACK_ONLY and not host_is_loopback(self.addr):
            raise CommandError(BIND_REFUSED_MESSAGE.format(bind=options["addrport"]))
        super().run(**options)
