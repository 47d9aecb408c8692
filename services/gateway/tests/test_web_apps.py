"""The gateway serves the built front end (gateway.routes.web): each app's files under its prefix,
its index.html for the app's own routes, the caching of each, and 503 before `make web`."""

from __future__ import annotations

import pytest

APPS = ("console", "h5/zzd", "h5/zlb")


@pytest.fixture
def dist(tmp_path):
    """A tiny build: for each app an index.html naming it and one hashed asset."""
    root = tmp_path / "dist"
    for app in APPS:
        (root / app / "assets").mkdir(parents=True)
        (root / app / "index.html").write_text(f"<!doctype html><title>{app}</title>", encoding="utf-8")
        (root / app / "assets" / "index-Ab12Cd34.js").write_text(f"console.log('{app}')", encoding="utf-8")
    return root


@pytest.mark.parametrize("app", APPS)
def test_an_app_answers_its_index_and_its_assets(make_client, dist, app):
    client = make_client(web_dist_dir=dist)

    index = client.get(f"/{app}/")
    asset = client.get(f"/{app}/assets/index-Ab12Cd34.js")

    assert index.status_code == 200 and f"<title>{app}</title>" in index.text
    assert index.headers["cache-control"] == "no-cache"
    assert asset.status_code == 200 and asset.text == f"console.log('{app}')"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_a_route_of_the_app_answers_its_index_for_the_browser_to_resolve(make_client, dist):
    client = make_client(web_dist_dir=dist)

    answer = client.get("/console/projects/3f1c2a/attendance?month=2027-01")

    assert answer.status_code == 200
    assert "<title>console</title>" in answer.text
    assert answer.headers["cache-control"] == "no-cache"


def test_a_missing_asset_is_404_in_the_error_shape_not_the_index(make_client, dist):
    client = make_client(web_dist_dir=dist)

    answer = client.get("/h5/zlb/assets/index-gone.js")

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_a_revalidated_index_is_304(make_client, dist):
    client = make_client(web_dist_dir=dist)
    first = client.get("/h5/zzd/")

    again = client.get("/h5/zzd/", headers={"if-none-match": first.headers["etag"]})

    assert again.status_code == 304


def test_before_the_build_an_app_answers_503_saying_how_to_build_it(make_client, tmp_path):
    client = make_client(web_dist_dir=tmp_path / "never-built")

    answer = client.get("/console/")

    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "web_not_built"
    assert "make web" in error["message"]


def test_the_root_goes_to_the_console_and_the_api_is_untouched(make_client, dist):
    client = make_client(web_dist_dir=dist)

    root = client.get("/", follow_redirects=False)
    health = client.get("/healthz")

    assert root.status_code in (302, 307) and root.headers["location"] == "/console/"
    assert health.json() == {"status": "ok"}


@pytest.mark.parametrize(("dev_login", "expected"), [(True, True), (False, False)])
def test_the_login_pages_learn_whether_the_dev_login_is_on(make_client, dev_login, expected):
    client = make_client(dev_login=dev_login)

    assert client.get("/auth/v1/options").json() == {"dev_login": expected}
