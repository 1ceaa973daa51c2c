"""The browser side of the web tests: Debian's Chromium under Playwright, axe-core, screenshots.

One Chromium serves the whole test session; each test gets its own context (cookies, cache).
Every request a page makes is recorded, and anything not addressed to 127.0.0.1 is refused and
reported: the web app must work with no internet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Playwright, Route

from tests.support.paths import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = REPO_ROOT / "build" / "screenshots"
PHONE_WIDTH, DESK_WIDTH = 375, 1280
BLOCKING_IMPACTS = {"serious", "critical"}

_axe = Axe()


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, with nothing phoning home."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


@dataclass
class Browsing:
    """One test's browser tab, the requests it made, and the checks every page gets."""

    page: Page
    base_url: str
    test_name: str
    requested: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        """Open a page of the app and wait until it has settled."""
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")

    def sign_in(self, email: str, password: str) -> None:
        """Sign in through the form, as a person would."""
        self.goto("/app/login")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state("networkidle")

    def check(self, name: str) -> None:
        """axe-core finds nothing serious on this page; screenshots at phone and desk width."""
        results = _axe.run(self.page)
        blocking = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"at {[node['target'] for node in violation['nodes']][:3]}"
            for violation in results.response["violations"]
            if violation["impact"] in BLOCKING_IMPACTS
        ]
        assert not blocking, f"accessibility problems on {self.page.url}:\n" + "\n".join(blocking)
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{self.test_name}-{name}")
        size = self.page.viewport_size or {"width": DESK_WIDTH, "height": 900}
        for width in (PHONE_WIDTH, DESK_WIDTH):
            self.page.set_viewport_size({"width": width, "height": size["height"]})
            self.page.screenshot(path=str(SCREENSHOT_DIR / f"{stem}-{width}.png"), full_page=True)
        self.page.set_viewport_size(size)


@contextmanager
def browsing(browser: Browser, base_url: str, test_name: str) -> Iterator[Browsing]:
    """A fresh context and tab; afterwards, no request may have left the loopback address."""
    context = browser.new_context(viewport={"width": DESK_WIDTH, "height": 900})
    tab = Browsing(context.new_page(), base_url, test_name)

    def guard(route: Route) -> None:
        url = route.request.url
        tab.requested.append(url)
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            tab.refused.append(url)
            route.abort()

    context.route("**/*", guard)
    try:
        yield tab
    finally:
        context.close()
    assert tab.requested, "the page made no request at all"
    assert not tab.refused, f"requests left 127.0.0.1: {tab.refused}"
