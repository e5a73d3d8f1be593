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

REPO_ROOT = Path(__file__).resolve().parents[2]
FRONTEND_INDEX = REPO_ROOT / "frontend" / "dist" / "index.html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

STAFF_USERNAME = "ada"
STAFF_PASSWORD = "correct-horse-battery-staple"


def require(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false; fail instead when the run demands a browser."""
    skips.require(condition, reason, switch="TANDEM_REQUIRE_BROWSER")


@pytest.fixture
def browser_requirements() -> None:
    require(
        CHROMIUM.exists(), f"Chromium not found at {CHROMIUM}; install Debian's chromium package"
    )
    require(
        FRONTEND_INDEX.is_file(),
        f"the frontend is not built ({FRONTEND_INDEX} is missing); run "
        "`npm --prefix frontend ci && npm --prefix frontend run build`",
    )


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
def browser_session(browser_requirements, live_server, staff_user) -> Iterator[BrowserSession]:
    """A fresh Chromium page against the live server.

    Everything the test needs from the database is created by fixtures set up before this one:
    once Playwright's sync API runs, Django refuses ORM calls from this thread as async-unsafe.
    """
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do: on a loaded two-core CI machine a route change
    # has kept the old screen past expect's 5 s default (the page under test, its server and
    # Chromium share the cores). A failing assertion still fails, 15 s later.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context(accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(30_000)
        session = BrowserSession(page=page, base_url=live_server.url)
        page.on("pageerror", lambda error: session.js_errors.append(str(error)))

        def dismiss(dialog):
            session.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)
        try:
            yield session
        finally:
            context.close()
            chromium.close()


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
