"""The front end's built files (``web/``, built by ``make web`` into ``web_dist_dir``): the district
console at ``/console/``, the H5 pages of the portals at ``/h5/zzd/`` and ``/h5/zlb/``.

Each app is a single-page app: a path under it that is not a file answers its ``index.html``, so
that the app's own routes survive a reload. Hashed assets (``assets/``) are cached for a year;
``index.html`` is revalidated on every load (``no-cache``), so a new build is seen at once. Before
the front end is built, an app answers 503 saying how to build it."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from gateway.errors import error_response

logger = logging.getLogger(__name__)

# URL prefix → folder of the build (web/apps.js names the same three).
WEB_APPS = {"/console": "console", "/h5/zzd": "h5/zzd", "/h5/zlb": "h5/zlb"}
HASHED_ASSETS = "assets/"
ASSET_CACHE = "public, max-age=31536000, immutable"
INDEX_CACHE = "no-cache"


class SinglePageApp(StaticFiles):
    """One built app: its files, and its ``index.html`` for any other path under it."""

    def __init__(self, directory: Path, prefix: str):
        super().__init__(directory=directory, check_dir=False)
        self.index = directory / "index.html"
        self.prefix = prefix

    async def check_config(self) -> None:
        # Starlette refuses a missing directory with a RuntimeError (500); a build not made yet is
        # answered 503 by get_response, saying how to make it.
        if self.index.is_file():
            await super().check_config()

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not self.index.is_file():
            logger.warning("front end not built", extra={"app": self.prefix, "directory": str(self.index.parent)})
            return error_response(503, "web_not_built",
                                  f"the front end of {self.prefix}/ is not built (no {self.index}): run `make web` "
                                  "(`make run` builds it)")
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            # A missing asset is a real 404 (a script must never get HTML); any other path is a
            # route of the app, which its index.html resolves in the browser.
            if error.status_code != 404 or path.startswith(HASHED_ASSETS):
                raise
            response = self.file_response(self.index, os.stat(self.index), scope)
        hashed = path.startswith(HASHED_ASSETS) and response.status_code in (200, 304)
        response.headers["Cache-Control"] = ASSET_CACHE if hashed else INDEX_CACHE
        return response


def install_web_apps(app: FastAPI, dist_dir: Path) -> None:
    """Serve every app of the build under its prefix, and send ``/`` to the console."""
    for prefix, folder in WEB_APPS.items():
        app.mount(prefix, SinglePageApp(dist_dir / folder, prefix), name=f"web:{folder}")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/console/")
