"""Browser tests: the built single-page app, driven by headless Chromium through Playwright.

They need three things a plain checkout may lack: the system Chromium, the built frontend
(``npm --prefix frontend run build``) and, for the SMS test, the shared datasets folder. Without
them a test is skipped with the reason, unless ``TANDEM_REQUIRE_BROWSER=1`` (CI), where a
missing browser or build is a failure rather than a silent skip (``TANDEM_REQUIRE_DATASETS=1``
for the datasets; see ``tests.skips``).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests import skips
from tests.workers import start_worker

__all__ = ["start_worker"]  # a fixture: browser tests that watch a real worker

REPO_ROOT = Path(__file__).resolve().parents[2]
FRONTEND_INDEX = REPO_ROOT / "frontend" / "dist" / "index.html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

STAFF_USERNAME = "ada"
STAFF_PASSWORD = "correct-horse-battery-staple"


def require(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false; fail instead when the run demands a browser."""
    skips.require(condition, reason, switch="TANDEM_REQUIRE_BROWSER")


def _require_browser_and_build() -> None:
    require(
        CHROMIUM.exists(), f"Chromium not found at {CHROMIUM}; install Debian's chromium package"
    )
    require(
        FRONTEND_INDEX.is_file(),
        f"the frontend is not built ({FRONTEND_INDEX} is missing); run "
        "`npm --prefix frontend ci && npm --prefix frontend run build`",
    )


@pytest.fixture
def browser_requirements() -> None:
    _require_browser_and_build()


@pytest.fixture(scope="package")
def chromium() -> Iterator[object]:
    """One Playwright driver and one Chromium for the browser tests of this package; each test
    gets a browser context of its own (``browser_session``), so no cookie, storage or cache
    passes from one test to the next. Starting both per test cost about 1.7 s a test.

    While Playwright's sync API is running, Django refuses ORM calls from this thread (an event
    loop is running in it, idle between Playwright calls): the tests' own fixtures create their
    data here, so ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set for as long as the driver runs. The app
    under test runs in the live server's threads, where no loop runs; nothing changes there.
    """
    _require_browser_and_build()
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def staff_user(transactional_db):
    return get_user_model().objects.create_user(
        username=STAFF_USERNAME, password=STAFF_PASSWORD, email="ada@example.org", is_staff=True
    )


@dataclass
class BrowserSession:
    page: "object"  # playwright.sync_api.Page; imported lazily so collection works without it
    base_url: str
    js_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


@pytest.fixture
def browser_session(
    browser_requirements, chromium, live_server, staff_user
) -> Iterator[BrowserSession]:
    """A fresh page, in a fresh browser context (no cookies, storage or cache from another
    test), of the shared Chromium, against the live server."""
    from playwright.sync_api import expect

    # Assertions wait as long as actions do: on a loaded two-core CI machine a route change
    # has kept the old screen past expect's 5 s default (the page under test, its server and
    # Chromium share the cores). A failing assertion still fails, 15 s later.
    expect.set_options(timeout=15_000)
    context = chromium.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        session = BrowserSession(page=page, base_url=live_server.url)
        page.on("pageerror", lambda error: session.js_errors.append(str(error)))

        def dismiss(dialog):
            session.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)
        yield session
    finally:
        # Contexts a test opened for other people (page.context.browser.new_context()) go too.
        for other in chromium.contexts:
            other.close()
        _requests_settle()


def _requests_settle(timeout: float = 10.0) -> None:
    """Wait until no other connection to the test database is working: a request the page
    sent just before it closed may still be running in the live server, and the test's
    database flush (TRUNCATE) then deadlocked with its writes."""
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
                "AND state <> 'idle'"
            )
            if not cursor.fetchone()[0]:
                return
            time.sleep(0.05)


def log_in(
    session: BrowserSession, *, username: str = STAFF_USERNAME, password: str = STAFF_PASSWORD
) -> None:
    from playwright.sync_api import expect

    page = session.page
    page.goto(session.url("/login"))
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_have_text(username)


def start_reviewing(
    session: BrowserSession,
    *,
    username: str,
    password: str,
    viewport: tuple[int, int] = (1366, 768),
):
    """Log in as ``username`` in a window of ``viewport`` and open the review panel from the
    moderation queue; the page."""
    width, height = viewport
    page = session.page
    page.set_viewport_size({"width": width, "height": height})
    log_in(session, username=username, password=password)
    page.get_by_test_id("nav-moderation").click()
    page.get_by_test_id("start-reviewing").click()
    return page
