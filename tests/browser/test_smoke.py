import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_renders_in_chromium_with_local_bootstrap(page):
    page.goto("/")
    assert "Prevention education for teachers" in page.locator("h1").inner_text()
    # Bootstrap is served from our own static files: its CSS applied (container has max-width).
    assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") != "none"
