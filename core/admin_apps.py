"""Django's admin app with Tandem's site (``core.admin_site.TandemAdminSite``) as its default.

Its own module: ``core.apps`` must hold exactly one AppConfig for Django to pick it.
"""

from django.contrib.admin.apps import AdminConfig


class TandemAdminConfig(AdminConfig):
    default_site = "core.admin_site.TandemAdminSite"
