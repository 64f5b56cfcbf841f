"""Web hardening (issue 11 item 10): security headers on every answer, the same-origin check
that keeps another site from logging a browser in (login CSRF), and the OpenAPI docs served
from the package (Swagger UI and ReDoc from `fastapi-offline`'s files, no CDN).

The pages meet the content security policy as it is: no inline script or style (scripts and
styles are files under /static; JSON for scripts sits in `<script type="application/json">`,
which is data, not code). ReDoc alone styles itself with inline `<style>` elements, so its page
gets `style-src 'unsafe-inline'` on top of the policy.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
REDOC_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
DOCS_ASSETS = "/docs-assets"


class SecurityHeaders:
    """Adds the security headers to every HTTP answer (pages, API, static files, errors) that
    does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = (REDOC_CSP if scope["path"] == "/redoc" else CSP).encode()
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [*HEADERS, (b"content-security-policy", csp)]
                if https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                headers += [(k, v) for k, v in extra if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def same_origin(request: Request) -> bool:
    """Whether a form post comes from this site. A browser names the page that posted in
    `Origin` (every cross-origin POST has it, "null" for an opaque origin) or else `Referer`;
    a request with neither comes from a program, not from a page another site showed."""
    host = request.headers.get("host", "")
    origin = request.headers.get("origin")
    if origin is not None:
        return urlsplit(origin).netloc == host and origin != "null"
    referer = request.headers.get("referer")
    if referer is not None:
        return urlsplit(referer).netloc == host
    return True


def _assets() -> Path | None:
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "static"


_MISSING = (
    "The API documentation needs the fastapi-offline package, a dependency of servicenorm: "
    "reinstall it (pip install -e . or make install). The API itself works; see /openapi.json."
)


_DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - API documentation</title>
<link rel="icon" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head><body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body></html>
"""

_REDOC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - API reference</title>
<link rel="icon" href="{assets}/favicon.png">
</head><body>
<redoc spec-url="{openapi}"></redoc>
<script src="{assets}/redoc.standalone.js"></script>
</body></html>
"""


def install_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc from files in the package; the app is made with
    `docs_url=None, redoc_url=None` so FastAPI's CDN pages are not there."""
    openapi = app.openapi_url or "/openapi.json"
    router = APIRouter(include_in_schema=False)
    assets = _assets()

    def page(template: str) -> HTMLResponse:
        if assets is None:  # an environment installed before the dependency was added
            return HTMLResponse(_MISSING, status_code=503)
        return HTMLResponse(template.format(title=app.title, assets=DOCS_ASSETS, openapi=openapi))

    @router.get("/docs")
    def docs() -> HTMLResponse:
        return page(_DOCS)

    @router.get("/redoc")
    def redoc() -> HTMLResponse:
        return page(_REDOC)

    app.include_router(router)
    if assets is not None:
        app.mount(DOCS_ASSETS, StaticFiles(directory=assets), name="docs-assets")
