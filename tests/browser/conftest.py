"""Fixtures of the browser tests: the platform started once for all of them (testkit/launch.py),
seeded with the demo district of README.md and its dev login on, the built front end (`make web`)
served by its gateway, and Debian's Chromium driven by Playwright — never a downloaded browser.

The platform, the portals' stand-ins and Chromium live for the session's fixtures but are stopped
as soon as the last browser test is done (``pytest_runtest_teardown`` below), so that they never
run beside the platforms of the tests that follow.

Screenshots go to var/screenshots/ (see ``screenshot``)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import httpx
import pytest

from testkit.browser_scene import seed_scene
from testkit.launch import ROOT, portal_standins, running_platform

CHROMIUM = Path(os.environ.get("SUPERVISION_TEST_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "var" / "screenshots"
WEB_DIST = ROOT / "web" / "dist"
BROWSER_TESTS = Path(__file__).resolve().parent
# What the session's fixtures started, closed after the last browser test (or at the session's end).
_STARTED = contextlib.ExitStack()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    if nextitem is None or BROWSER_TESTS not in Path(nextitem.path).resolve().parents:
        _STARTED.close()


@pytest.fixture(scope="session")
def _closed_at_the_end():
    yield
    _STARTED.close()


@pytest.fixture(scope="session")
def portals(_closed_at_the_end):
    return _STARTED.enter_context(portal_standins())


@pytest.fixture(scope="session")
def platform(amqp_uri, postgres_database, portals, tmp_path_factory):
    """The platform of every browser test, with the demo district seeded as `make run` seeds it."""
    missing = [app for app in ("console", "h5/zzd", "h5/zlb") if not (WEB_DIST / app / "index.html").is_file()]
    if missing:
        pytest.fail(f"the front end is not built ({', '.join(missing)} missing in {WEB_DIST}): run `make web`")
    return _STARTED.enter_context(running_platform(amqp_uri, postgres_database, portals,
                                                   tmp_path_factory.mktemp("browser"), label="browser", seed="demo",
                                                   dev_login=True))


@pytest.fixture(scope="session")
def browser(_closed_at_the_end):
    if not CHROMIUM.is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (Debian's; Playwright downloads none)")
    from playwright.sync_api import sync_playwright

    playwright = _STARTED.enter_context(sync_playwright())
    # --no-sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start.
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    _STARTED.callback(launched.close)
    return launched


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


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def api(platform):
    client = Api(platform["base_url"])
    _STARTED.callback(client.http.close)
    return client


@pytest.fixture(scope="session")
def scene(api):
    """The projects, people, check-ins, warnings and the clue of testkit/browser_scene.py."""
    return seed_scene(api)
