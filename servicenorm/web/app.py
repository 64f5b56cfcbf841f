"""The FastAPI app factory. `create_app(settings)` wires the container (bootstrap), the API
routers, the error mapping, and — when present — the page routers and static files:

* `servicenorm.web.pages` exposing `router` (an APIRouter) is included as is;
* `servicenorm/web/static/` is mounted at `/static`;
* `extra_routers` adds more routers (tests, plug-ins).
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

import servicenorm
from servicenorm.bootstrap import Container, bootstrap
from servicenorm.helpdesk.tokencache import TokenCache
from servicenorm.moderation.language import load_model
from servicenorm.settings import Settings
from servicenorm.web import errors
from servicenorm.web.api import router as api_router
from servicenorm.web.fastlane import MessagePostLane
from servicenorm.web.limits import BodyLimit
from servicenorm.web.security import SecurityHeaders, install_docs

STATIC = Path(__file__).parent / "static"


def _page_router() -> APIRouter | None:
    try:
        pages = importlib.import_module("servicenorm.web.pages")
    except ModuleNotFoundError as e:
        if e.name != "servicenorm.web.pages":
            raise
        return None
    router = getattr(pages, "router", None)
    return router if isinstance(router, APIRouter) else None


def create_app(
    settings: Settings | None = None,
    *,
    container: Container | None = None,
    extra_routers: Sequence[APIRouter] = (),
) -> FastAPI:
    settings = settings or Settings()
    container = container or bootstrap(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the message post's database work (web.fastlane and the route): a plain executor, one
        # thread per pooled connection, costs less per hand-over than the anyio thread pool
        # (which serves the message post when the app runs without its lifespan)
        own = container.settings  # (a container passed in comes with its own settings)
        # the language model of message moderation, loaded once now instead of by the first
        # concurrent message posts (each of which waited seconds for its own copy)
        await run_in_threadpool(load_model)
        threads = app.state.post_threads = ThreadPoolExecutor(
            own.db_pool_size, thread_name_prefix="message-post"
        )
        if own.environment != "test":  # tests start many apps in one process
            # what the server started with lives as long as it: out of the cyclic collector's way,
            # or a full collection walks it all (a pause of about 100 ms under load, measured)
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            threads.shutdown(wait=False)
            if app.state.post_threads is threads:  # (test clients may overlap on one app)
                app.state.post_threads = None
            container.engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="servicenorm",
        version=servicenorm.__version__ if hasattr(servicenorm, "__version__") else "0.1.0",
        description="Customer-service standards for online marketplaces: the helpdesk API "
        "(conversations, queue, saved replies, stage messages), event ingestion, roles.",
        docs_url=None,  # /docs and /redoc come from install_docs: the package's files, no CDN
        redoc_url=None,
    )
    app.state.container = container
    app.state.tokens = TokenCache()  # token hash -> principal, identity only (helpdesk.tokencache)
    app.state.post_threads = None
    errors.install(app)
    app.add_middleware(
        MessagePostLane
    )  # first, so the innermost: later middleware sees every request
    app.include_router(api_router)
    install_docs(app)
    pages = _page_router()
    if pages is not None:
        app.include_router(pages)
    for r in extra_routers:
        app.include_router(r)
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    own = container.settings
    # last, so the outermost: no body is read before its size and (when large) token are checked
    app.add_middleware(
        BodyLimit, max_body_bytes=own.max_body_bytes, max_batch_bytes=own.max_batch_bytes
    )
    # outermost of all: every answer, a 413 or a 500 included, carries the security headers
    app.add_middleware(SecurityHeaders)
    return app
