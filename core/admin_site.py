"""The Django admin site: off unless ``TANDEM_ADMIN_ENABLED``, and its login throttled.

``config.urls`` mounts it at ``/admin/`` only when enabled. Its login form counts attempts
like the API's login (per client address and per username, ``core.throttling``): over either
limit the answer is 429 (JSON, with ``Retry-After``) and the password is not checked.
"""

from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from core.throttling import LoginThrottled, login_attempt_check, login_attempt_succeeded


class TandemAdminSite(AdminSite):
    site_header = "Tandem administration"
    site_title = "Tandem"

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if request.method != "POST":
            return super().login(request, extra_context)
        username = request.POST.get("username", "")
        try:
            login_attempt_check(request, username=username)
        except LoginThrottled as exc:
            return exc.as_response()
        response = super().login(request, extra_context)
        # The form logs the user in and redirects on success; it answers 200 with the form
        # (and its errors) otherwise, also to a right password of a non-staff account.
        if isinstance(response, HttpResponseRedirect) and request.user.is_authenticated:
            login_attempt_succeeded(username=username)
        return response
