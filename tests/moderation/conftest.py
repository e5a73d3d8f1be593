import pytest


@pytest.fixture
def loopback(settings):
    """Webhooks may go to 127.0.0.1 (the tests' receiver), with no wait between attempts: eager
    tasks retry at once, and a retry is sent only when due."""
    settings.TANDEM_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.TANDEM_WEBHOOK_BACKOFF_SECONDS = [0, 0, 0, 0, 0]
