"""Fixtures of the browser tests: the platform started once for all of them (tests/launch.py),
seeded with the demo district of README.md and its dev login on, the built front end (`make web`)
served by its gateway, and Debian's Chromium driven by Playwright — never a downloaded browser.

Screenshots go to var/screenshots/ (see ``screenshot``)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from tests.browser.district import seed_scene
from tests.launch import ROOT, portal_standins, running_platform

CHROMIUM = Path(os.environ.get("SUPERVISION_TEST_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "var" / "screenshots"
WEB_DIST = ROOT / "web" / "dist"


@pytest.fixture(scope="package")
def portals():
    with portal_standins() as standins:
        yield standins


@pytest.fixture(scope="package")
def platform(amqp_uri, postgres_database, portals, tmp_path_factory):
    """The platform of every browser test, with the demo district seeded as `make run` seeds it."""
    missing = [app for app in ("console", "h5/zzd", "h5/zlb") if not (WEB_DIST / app / "index.html").is_file()]
    if missing:
        pytest.fail(f"the front end is not built ({', '.join(missing)} missing in {WEB_DIST}): run `make web`")
    with running_platform(amqp_uri, postgres_database, portals, tmp_path_factory.mktemp("browser"),
                          label="browser", seed="demo", dev_login=True) as started:
        yield started


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (Debian's; Playwright downloads none)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start.
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser, platform):
    """``new_page(**context_options)``: a page in a fresh browser context (its own storage) on the
    platform, in Chinese and the district's time zone, failing the test on any uncaught script error."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=platform["base_url"], locale="zh-CN", timezone_id="Asia/Shanghai",
                                      viewport={"width": 1440, "height": 900}, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.script_errors = errors
        return page

    yield make
    for context in contexts:
        for page in context.pages:
            assert page.script_errors == [], f"{page.url}: {page.script_errors}"
        context.close()


@pytest.fixture(scope="package")
def screenshot():
    """``screenshot(page, "home")`` saves var/screenshots/home.png (the run's copy; README shows the
    copies committed under docs/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


class Api:
    """The gateway's API as the demo users call it, for a test to set the scene and to read the
    figures the pages must show."""

    def __init__(self, base_url: str):
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.tokens: dict[str, dict] = {}

    def login(self, user_id: str) -> dict:
        if user_id not in self.tokens:
            answer = self.http.post("/auth/v1/dev/login", json={"user_id": user_id})
            assert answer.status_code == 200, answer.text
            self.tokens[user_id] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        return self.tokens[user_id]

    def call(self, user_id: str, method: str, path: str, expected: int | tuple[int, ...] = 200, **kwargs):
        answer = self.http.request(method, path, headers=self.login(user_id), **kwargs)
        allowed = expected if isinstance(expected, tuple) else (expected,)
        assert answer.status_code in allowed, f"{method} {path} as {user_id}: {answer.status_code} {answer.text}"
        return answer.json()


@pytest.fixture(scope="package")
def api(platform):
    client = Api(platform["base_url"])
    yield client
    client.http.close()


@pytest.fixture(scope="package")
def scene(api):
    """The projects, people, check-ins, warnings and the clue of tests/browser/district.py."""
    return seed_scene(api)


def log_in(page, user_id: str, app: str = "console") -> None:
    """Log in through the app's demo login page as a seeded user."""
    page.goto(f"/{app}/")
    page.get_by_test_id("dev-user").fill(user_id)
    page.get_by_test_id("login").click()
    page.get_by_test_id("who").wait_for()

