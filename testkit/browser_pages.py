"""Page helpers of the browser tests."""

from __future__ import annotations


def log_in(page, user_id: str, app: str = "console") -> None:
    """Log in through the app's demo login page as a seeded user."""
    page.goto(f"/{app}/")
    page.get_by_test_id("dev-user").fill(user_id)
    page.get_by_test_id("login").click()
    page.get_by_test_id("who").wait_for()

