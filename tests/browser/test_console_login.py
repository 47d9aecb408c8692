"""The console's door: a demo user logs in, sees who they are, switches to English and out."""

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_a_demo_user_logs_in_and_the_console_speaks_chinese_then_english(new_page):
    page = new_page()

    log_in(page, "demo-line-head")

    assert "陈条线" in page.get_by_test_id("who").inner_text()
    assert page.get_by_test_id("menu-home").inner_text() == "首页"
    page.get_by_test_id("locale").get_by_text("English").click()
    assert page.get_by_test_id("menu-home").inner_text() == "Home"
