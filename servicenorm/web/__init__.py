"""The HTTP edge: FastAPI app factory, API routers (api/), pages (pages/) and static files."""
